"""The ``rsvlm-graph`` command, and ``python -m rsvlm_graph`` (the same command line), with
Ctrl-C handled.

Ctrl-C at any moment, start-up included (importing the CLI takes a second), prints one line and
exits 130. Nothing is lost: every record fetched is in the store as soon as it arrives, each
file is replaced atomically, and the next run resumes where this one stopped. This module
imports nothing heavy, so the handler is in place before the CLI loads.
"""

from __future__ import annotations

import sys

__all__ = ["INTERRUPTED", "main"]

#: what Ctrl-C prints, the only line it prints
INTERRUPTED = "interrupted; nothing fetched so far is lost"
#: the exit status of a run stopped by SIGINT (128 + 2, as shells report it)
INTERRUPTED_STATUS = 130


def main() -> None:
    """Run the CLI; on Ctrl-C print :data:`INTERRUPTED` and exit 130."""
    try:
        from .cli import app

        # typer turns KeyboardInterrupt inside a command into a silent exit 130
        app(prog_name="rsvlm-graph")
    except SystemExit as exc:
        if exc.code == INTERRUPTED_STATUS:
            _interrupted()
        raise
    except KeyboardInterrupt:
        _interrupted()


def _interrupted() -> None:
    try:
        sys.stdout.flush()
    except (OSError, ValueError, KeyboardInterrupt):
        pass
    try:
        sys.stderr.write(INTERRUPTED + "\n")
        sys.stderr.flush()
    except (OSError, ValueError, KeyboardInterrupt):
        pass
    raise SystemExit(INTERRUPTED_STATUS)


if __name__ == "__main__":
    main()
