"""Time and peak memory of each step of a command, logged at debug level.

The pipeline wraps its steps in :func:`step`; benchmarks and ``rsvlm-graph -v`` users read the
figures from the log instead of re-timing the pipeline from outside. Each record carries the
figures as attributes (``step``, ``seconds``, ``peak_mib``) besides its message, so a handler can
collect them without parsing text.

The peak is the step's own on Linux: the kernel's high-water mark of resident memory is reset
before the step (``/proc/self/clear_refs``) and read after it. Elsewhere, or when the reset is not
allowed, it is the process's peak so far. Nothing is measured unless debug logging is on.
"""

from __future__ import annotations

import logging
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["step"]

log = logging.getLogger(__name__)

_CLEAR_REFS = Path("/proc/self/clear_refs")
_STATUS = Path("/proc/self/status")


def _reset_peak() -> None:
    """Restart the resident-memory high-water mark where the kernel offers it."""
    try:
        _CLEAR_REFS.write_text("5")  # "5": reset the peak RSS (Linux ≥ 4.0)
    except OSError:
        pass  # the figure is then the peak so far


def _peak_mib() -> float:
    """The peak resident memory in MiB: since the last reset on Linux, of the process otherwise."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere


@contextmanager
def step(name: str) -> Iterator[None]:
    """Log, at debug level, how long the ``with`` block took and its peak resident memory.

    Examples
    --------
    >>> with step("parse"):
    ...     rows = [line for line in ("a", "b")]
    """
    if not log.isEnabledFor(logging.DEBUG):
        yield
        return
    _reset_peak()
    start = time.perf_counter()
    yield
    seconds, peak = time.perf_counter() - start, _peak_mib()
    log.debug("step %s: %.3f s, peak RSS %.0f MiB", name, seconds, peak,
              extra={"step": name, "seconds": seconds, "peak_mib": peak})
