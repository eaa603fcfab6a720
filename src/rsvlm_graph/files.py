"""How every file rsvlm-graph writes reaches the disk: atomically, and one run at a time.

A reader (a browser, a triple store, ``git add``) must never see half a file, and a killed run must
never leave one: :func:`atomic_text` and :func:`atomic_bytes` write into a temporary file in the target's folder, syncs
it to disk and renames it over the target, so the old file stays whole until the new one is.

A set of files read together (the exports of one build) is written into a staging folder and moved
in only once every file of the set is whole (:func:`staged_folder`): a build that fails on its
last file leaves the previous set as it was, not half of each.

Two runs writing the same folder or the same store would interleave their files; :func:`locked`
makes the second wait (an advisory ``flock`` on a small lock file, released by the kernel even
when the holder is killed) and logs why it waits. The lock file is opened without following a
symbolic link (one planted at its name would have had a process id written over its target),
only as a regular file, and removed by its holder when done: no output folder keeps it.
"""

from __future__ import annotations

import errno
import fcntl
import io
import logging
import os
import shutil
import stat
import tempfile
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO

__all__ = [
    "LOCK_NAME",
    "append_atomic",
    "atomic_bytes",
    "atomic_text",
    "folder_lock",
    "locked",
    "staged_folder",
    "store_lock",
    "write_atomic",
]

log = logging.getLogger(__name__)

#: the lock file of an output folder (ignored by git)
LOCK_NAME = ".rsvlm-graph.lock"
#: how the staging folders of :func:`staged_folder` begin (ignored by git)
STAGING_PREFIX = ".rsvlm-graph-staging-"

# Locks this process holds, by lock file: flock conflicts between two descriptors of one process,
# so a nested ``locked`` on the same file counts instead of waiting for itself.
_held: dict[Path, tuple[int, int]] = {}  # path -> (descriptor, depth)
_held_guard = threading.Lock()


@contextmanager
def atomic_text(path: Path, *, newline: str | None = "\n") -> Iterator[TextIO]:
    """Open ``path`` for writing UTF-8 text so that it appears whole or not at all.

    Everything is written to a temporary file beside ``path`` (same folder: same file system, so
    the rename is atomic), flushed and ``fsync``-ed, then renamed over ``path``; the folder is
    synced too, so the rename survives a crash. On any exception the temporary file is removed
    and ``path`` is left as it was. The folder must exist. ``OSError`` propagates: each
    writer turns it into its own error naming the file.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = Path(folder) / "out.txt"
    ...     with atomic_text(target) as out:
    ...         _ = out.write("whole")
    ...     target.read_text(), sorted(p.name for p in Path(folder).iterdir())
    ('whole', ['out.txt'])
    """
    with atomic_bytes(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline=newline)
        yield text
        text.flush()
        text.detach()  # the bytes file stays open: it is synced before the rename


@contextmanager
def atomic_bytes(path: Path) -> Iterator[BinaryIO]:
    """Open ``path`` for writing bytes, atomically: see :func:`atomic_text`."""
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; an output is as readable as any other file the user writes
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _sync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # some file systems do not open folders; the rename is still atomic
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8, line ends as given; or bytes) atomically."""
    with atomic_bytes(path) as out:
        out.write(data.encode("utf-8") if isinstance(data, str) else data)


def append_atomic(path: Path, addition: str) -> None:
    """Append ``addition`` to the text file ``path`` (created if missing) by rewriting it atomically.

    An ``open(…, "a")`` killed half-way leaves half a line at the end of a hand-edited file.
    """
    path = Path(path)
    try:
        before = path.read_bytes()
    except FileNotFoundError:
        before = b""
    write_atomic(path, before + addition.encode("utf-8"))


@contextmanager
def locked(lock_file: Path, what: str) -> Iterator[None]:
    """Hold the advisory lock ``lock_file`` for the ``with`` block; wait while another run holds it.

    ``what`` names the thing guarded (``exports``, ``the store …``) in the message logged while
    waiting. Re-entrant within one process. Ctrl-C interrupts the wait.
    """
    key = Path(os.path.abspath(lock_file))
    with _held_guard:
        if key in _held:
            descriptor, depth = _held[key]
            _held[key] = (descriptor, depth + 1)
            reentered = True
        else:
            reentered = False
    if not reentered:
        key.parent.mkdir(parents=True, exist_ok=True)
        descriptor = _lock_file(key, what)
        with _held_guard:
            _held[key] = (descriptor, 1)
    try:
        yield
    finally:
        with _held_guard:
            descriptor, depth = _held[key]
            if depth > 1:
                _held[key] = (descriptor, depth - 1)
            else:
                del _held[key]
                # removed while still held: a run that opened it meanwhile sees it is gone once
                # it gets the lock, and starts again on a new file (see _lock_file)
                try:
                    os.unlink(key)
                except OSError as exc:
                    log.debug("lock %s not removed: %s", key, exc)
                os.close(descriptor)  # closing the last descriptor releases the flock


def _lock_file(path: Path, what: str) -> int:
    """Open ``path`` (never through a symbolic link, only a regular file) and lock it; return the
    descriptor once the lock is held on the file that is at ``path`` now."""
    while True:
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
                                 | os.O_NONBLOCK, 0o644)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise OSError(errno.ELOOP, "the lock file is a symbolic link, not followed; "
                              "remove it", str(path)) from None
            raise
        try:
            opened = os.fstat(descriptor)
            if not stat.S_ISREG(opened.st_mode):
                raise OSError(errno.EINVAL, "the lock file is not a regular file; remove it", str(path))
            _acquire(descriptor, path, what)
            try:
                now = os.stat(path, follow_symlinks=False)
            except FileNotFoundError:
                now = None
        except BaseException:
            os.close(descriptor)
            raise
        if now is not None and (now.st_dev, now.st_ino) == (opened.st_dev, opened.st_ino):
            return descriptor
        os.close(descriptor)  # the run before removed it when done: lock the file there now


def _acquire(descriptor: int, path: Path, what: str) -> None:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip() or "?"
        log.warning("waiting: another rsvlm-graph run (pid %s) is using %s (lock %s)",
                    holder, what, path)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, f"{os.getpid()}\n".encode("ascii"), 0)


def folder_lock(folder: Path) -> Path:
    """The lock file of an output folder (``exports/``, ``kg/``)."""
    return Path(folder) / LOCK_NAME


def store_lock(database: Path) -> Path:
    """The lock file of a store: beside the database, not inside SQLite's own files."""
    database = Path(database)
    return database.with_name(database.name + ".lock")



def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:  # either is missing
        return False


@contextmanager
def staged_folder(folder: Path, owned: Collection[str] = (), kept: Collection[Path] = ()
                  ) -> Iterator[Path]:
    """Yield an empty staging folder inside ``folder``; on success move its files into ``folder``.

    Writers write the whole set into the staging folder; only when the ``with`` block ends
    without an exception is each file renamed over its namesake in ``folder`` (one file system:
    renames that cannot fail half-way), and every name in ``owned`` that the set no longer holds
    (a plot with nothing to show) is removed. On an exception ``folder`` is left untouched. The
    staging folder is always removed; one a killed run left behind is removed by the next run,
    which must hold the folder's lock (:func:`locked`). The folder must exist. ``OSError``
    propagates (no staging folder can be made; a target name is a folder, or one of the files
    ``kept``, such as the list the exports are built from), ``folder`` unchanged.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     (Path(folder) / "old.svg").write_text("stale")
    ...     with staged_folder(Path(folder), owned={"old.svg"}) as stage:
    ...         _ = (stage / "graph.ttl").write_text("new")
    ...     sorted(p.name for p in Path(folder).iterdir())
    5
    ['graph.ttl']
    """
    folder = Path(folder)
    for stale in folder.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)
    stage = Path(tempfile.mkdtemp(dir=folder, prefix=STAGING_PREFIX))
    try:
        yield stage
        made = {path.name for path in stage.iterdir()}
        # a rename within one folder fails only over a folder: checked first, so none is moved
        blocked = sorted(name for name in made if (folder / name).is_dir())
        if blocked:
            raise IsADirectoryError(f"{', '.join(blocked)} in {folder} are folders, not files; "
                                    "nothing was replaced")
        inputs = sorted(name for name in made if any(_same_file(folder / name, k) for k in kept))
        if inputs:
            raise FileExistsError(f"{', '.join(inputs)} in {folder} would replace an input of "
                                  "this run; nothing was replaced: choose another folder")
        for name in sorted(made):
            os.replace(stage / name, folder / name)
        for name in sorted(set(owned) - made):
            (folder / name).unlink(missing_ok=True)
        _sync_folder(folder)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
