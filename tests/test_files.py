"""Atomic writes and locks: a reader never sees half a file, a failed write leaves the old one,
two runs wait for each other. Files here are SYNTHETIC."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import test_cli

from rsvlm_graph.files import (
    append_atomic,
    atomic_text,
    folder_lock,
    locked,
    write_atomic,
)

SRC = Path(__file__).resolve().parents[1] / "src"

# the CLI tests' fixtures: a copy of kg/, a temp store, the fake API around the list
env, kg = test_cli.env, test_cli.kg


def test_a_reader_sees_the_old_file_or_the_new_one_never_a_part(tmp_path):
    target = tmp_path / "graph.ttl"
    old, new = "old\n" * 1000, "".join(f"new line {i}\n" for i in range(2000))
    target.write_text(old, encoding="utf-8")
    seen: set[str] = set()
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            seen.add(target.read_text(encoding="utf-8"))

    thread = threading.Thread(target=reader)
    thread.start()
    with atomic_text(target) as out:
        for i in range(2000):
            out.write(f"new line {i}\n")
            if i % 200 == 0:
                out.flush()
                time.sleep(0.01)  # the half-written file exists, in the temporary file only
    time.sleep(0.05)
    done.set()
    thread.join()
    assert seen <= {old, new} and new in seen
    assert target.read_text(encoding="utf-8") == new
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl"]


def test_a_write_that_fails_half_way_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "report.md"
    target.write_text("the last good report\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_text(target) as out:
        out.write("half of a new")
        raise RuntimeError("killed")
    assert target.read_text(encoding="utf-8") == "the last good report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_write_and_append_keep_bytes_and_permissions(tmp_path):
    target = tmp_path / "curation.toml"
    write_atomic(target, "a = 1\r\n")
    append_atomic(target, "b = 2\n")
    assert target.read_bytes() == b"a = 1\r\nb = 2\n"
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


HOLD = """
import sys, time
from pathlib import Path
from rsvlm_graph.files import locked
with locked(Path(sys.argv[1]), "SYNTHETIC folder"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _holding(lock: Path, seconds: float, wait: bool = True) -> subprocess.Popen[str]:
    """Another process holding ``lock`` for ``seconds``; once it holds it, unless not ``wait``."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(lock), str(seconds)],
                              stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(SRC)})
    if wait:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_run_waits_for_the_lock_and_says_why(tmp_path, caplog):
    lock = folder_lock(tmp_path)
    holder = _holding(lock, 1.0)
    started = time.monotonic()
    with caplog.at_level("WARNING"), locked(lock, "SYNTHETIC folder"):
        waited = time.monotonic() - started
    holder.wait(timeout=30)
    assert waited > 0.5
    assert f"another rsvlm-graph run (pid {holder.pid}) is using SYNTHETIC folder" in caplog.text


def test_the_lock_is_reentrant_within_one_process(tmp_path):
    lock = folder_lock(tmp_path)
    with locked(lock, "x"), locked(lock, "x"):
        pass
    with locked(lock, "x"):  # released: taken again at once
        pass


def test_two_builds_at_once_wait_for_each_other_and_never_expose_a_partial_file(kg, env, tmp_path):
    out = tmp_path / "exports"
    command = [sys.executable, "-m", "rsvlm_graph", "build", "--offline", "--quiet",
               "--list", str(kg / "awesome-list.md"), "--out", str(out)]
    child_env = {**os.environ, "PYTHONPATH": str(SRC)}
    first = subprocess.run(command, check=False, capture_output=True, text=True, env=child_env, timeout=300)
    assert first.returncode == 0, first.stderr
    final = {name: (out / name).read_bytes() for name in ("graph.ttl", "graph.jsonld", "nodes.csv")}

    seen: dict[str, set[bytes]] = {name: set() for name in final}
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            for name in final:
                seen[name].add((out / name).read_bytes())

    thread = threading.Thread(target=reader)
    thread.start()
    builds = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=child_env) for _ in range(2)]
    results = [b.communicate(timeout=300) + (b.returncode,) for b in builds]
    done.set()
    thread.join()
    assert all(code == 0 for _, _, code in results), results
    # same input, same bytes: any read but the final content would be a partial file
    assert {name: len(seen[name]) for name in final} == dict.fromkeys(final, 1), {n: [len(b) for b in v] for n, v in seen.items()}
    assert all(seen[name] == {final[name]} for name in final)
    assert any("waiting: another rsvlm-graph run" in stderr for _, stderr, _ in results)


def test_a_symbolic_link_at_the_lock_is_not_followed(tmp_path):
    # issue 29: `ln -s ../victim exports/.rsvlm-graph.lock` had the victim overwritten by a pid
    victim = tmp_path / "victim"
    victim.write_text("SYNTHETIC precious\n")
    folder = tmp_path / "exports"
    folder.mkdir()
    folder_lock(folder).symlink_to(victim)
    with pytest.raises(OSError, match="symbolic link, not followed"), locked(folder_lock(folder), "x"):
        pass
    assert victim.read_text() == "SYNTHETIC precious\n"


def test_a_lock_that_is_no_regular_file_is_refused(tmp_path):
    os.mkfifo(folder_lock(tmp_path))
    with pytest.raises(OSError, match="not a regular file"), locked(folder_lock(tmp_path), "x"):
        pass


def test_the_lock_file_is_gone_when_the_run_is_done(tmp_path):
    lock = folder_lock(tmp_path)
    with locked(lock, "x"):
        with locked(lock, "x"):
            pass
        assert lock.is_file()  # held by the outer block still
    assert not lock.exists()


def test_a_waiting_run_locks_the_new_file_after_the_holder_removed_the_old(tmp_path):
    # SYNTHETIC: three runs in turn; each must hold the lock alone although each holder removes
    # the file the next one opened
    lock = folder_lock(tmp_path)
    holder = _holding(lock, 0.5)
    started = time.monotonic()
    with locked(lock, "x"):
        assert time.monotonic() - started > 0.3  # it waited for the holder's 0.5 s
        assert os.stat(lock).st_ino == os.fstat(_held_descriptor(lock)).st_ino
        third = _holding(lock, 0, wait=False)
        assert holder.wait(timeout=30) == 0
        time.sleep(0.3)
        assert third.poll() is None  # waiting on this run's lock file
    assert third.wait(timeout=30) == 0


def _held_descriptor(lock):
    from rsvlm_graph import files

    return files._held[lock.absolute()][0]
