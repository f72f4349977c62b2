"""A run's results appear in one step: staged beside the results, switched under a lock that
every nianbao process honours, and completed after a kill.

A run writes everything into a stage folder ``OUT/.nianbao-run-*`` that it holds a lock on
while it lives. Publishing takes the results lock (``OUT/.nianbao.lock``), writes a journal
naming the stage, moves the previous outputs aside and the new ones in, then removes the
journal and the stage. Whoever takes the lock next (a run, ``serve`` reading the results)
first completes a journal it finds — so a process killed between two renames leaves a set that
the next reader sees as the new complete set, never a mix — and removes stages whose owner is
gone. A move that fails (a file open in WPS on Windows) is undone before the error is raised,
so the previous complete set stays. Locks are ``flock`` on POSIX and ``msvcrt.locking`` on
Windows: the operating system releases them when a process dies, kill -9 included.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from ..errors import OutputError
from ..outfile import STAGE_PREFIX, output_error, replace, sync_tree, write_text_atomic

LOCK = ".nianbao.lock"
JOURNAL = ".nianbao-publish.json"
STAGE_LOCK = ".owner.lock"
ASIDE = "previous-"
#: What outfile.write_atomic writes before its rename; in ``out`` only publish writes (the
#: journal, under the lock), so one found there by the lock holder is a dead writer's.
PART = ".nianbao-*.part"
#: How long a run waits for another process to finish publishing into the same folder.
WAIT_SECONDS = 120.0


def try_lock(fh: IO[bytes]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            fh.seek(0)  # the locked byte is the first one, where unlock looks for it
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def unlock(fh: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        with contextlib.suppress(OSError):
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
    # POSIX: closing the file releases the flock


@contextlib.contextmanager
def file_lock(path: Path, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """An exclusive lock on ``path`` across processes (and across threads: each holder opens
    its own handle), waited for up to ``wait`` seconds."""
    try:
        fh = open(path, "a+b")  # noqa: SIM115 - held for the block
    except OSError as exc:
        raise output_error(path.parent, exc) from exc
    try:
        deadline = time.monotonic() + wait
        while not try_lock(fh):
            if time.monotonic() > deadline:
                raise OutputError(f"{path.parent} 正被另一个 nianbao 写入，已等待 {wait:g} 秒；"
                                  "请等它结束后重试")
            time.sleep(0.05)
        try:
            yield
        finally:
            unlock(fh)
    finally:
        fh.close()


@contextlib.contextmanager
def results_lock(out: Path, wait: float = WAIT_SECONDS, reader: bool = False) -> Iterator[None]:
    """The results folder's lock, with any interrupted publish completed and dead runs' stages
    removed first: inside it, ``out`` holds one complete set of results. A ``reader`` of a
    folder it cannot write (a read-only share) reads without the lock: nobody publishes there."""
    if reader and not os.access(out, os.W_OK):
        yield
        return
    with file_lock(Path(out) / LOCK, wait):
        recover(Path(out))
        yield


@contextlib.contextmanager
def stage(out: Path) -> Iterator[Path]:
    """A new stage folder in ``out``, locked by this run for as long as it lives, removed at
    the end whatever happens (a stage that was published is already gone)."""
    try:
        folder = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=out))
    except OSError as exc:
        raise output_error(out, exc) from exc
    try:
        with file_lock(folder / STAGE_LOCK, wait=0):
            yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def publish(folder: Path, out: Path, names: Iterable[str]) -> None:
    """Make ``names`` in the stage ``folder`` the results in ``out``, all together."""
    out = Path(out)
    names = list(names)
    try:
        sync_tree(folder)  # the stage's files were written without an fsync each
    except OSError as exc:
        raise output_error(folder, exc) from exc
    with results_lock(out):
        write_text_atomic(out / JOURNAL, json.dumps({"stage": folder.name, "names": names},
                                                    ensure_ascii=False))
        done: list[str] = []
        try:
            for name in names:
                _switch(folder, out, name)
                done.append(name)
        except OSError as exc:
            _undo(folder, out, done)
            (out / JOURNAL).unlink(missing_ok=True)
            raise output_error(out / name, exc) from exc
        (out / JOURNAL).unlink()
    shutil.rmtree(folder, ignore_errors=True)


def _switch(folder: Path, out: Path, name: str) -> None:
    """The previous ``out/name`` aside into the stage, the new one in; repeatable after a kill
    at any point (what was done is not done again)."""
    new, target, aside = folder / name, out / name, folder / (ASIDE + name)
    if not new.exists():
        return  # switched before the kill
    if target.exists() and not aside.exists():
        _replace(target, aside)
    elif target.exists():  # killed after the new one came in? then new would not exist
        _remove(target)
    _replace(new, target)


def _undo(folder: Path, out: Path, done: list[str]) -> None:
    """Put the previous results back after a failed switch (best effort: each step alone)."""
    for name in reversed(done):
        target, aside = out / name, folder / (ASIDE + name)
        with contextlib.suppress(OSError):
            if target.exists():
                _replace(target, folder / name)
            if aside.exists():
                _replace(aside, target)
    name = next((n for n in _journal_names(folder, out) if n not in done), "")
    aside = folder / (ASIDE + name)
    if name and aside.exists() and not (out / name).exists():
        with contextlib.suppress(OSError):
            _replace(aside, out / name)


def _journal_names(folder: Path, out: Path) -> list[str]:
    try:
        data = json.loads((out / JOURNAL).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [n for n in data.get("names", []) if isinstance(n, str)] if isinstance(
        data, dict) else []


def recover(out: Path) -> None:
    """Complete a publish that was interrupted (its journal is still there), then remove the
    stages of runs that are gone. The caller holds the results lock."""
    journal = out / JOURNAL
    if journal.exists():
        try:
            data = json.loads(journal.read_text(encoding="utf-8"))
            folder = out / str(data["stage"])
            names = [str(n) for n in data["names"]]
        except (OSError, ValueError, KeyError, TypeError):
            folder, names = out, []
        if folder != out and folder.name.startswith(STAGE_PREFIX) and folder.is_dir():
            for name in names:
                _switch(folder, out, name)
        journal.unlink(missing_ok=True)
    for leftover in out.glob(STAGE_PREFIX + "*"):
        if leftover.is_dir() and _abandoned(leftover):
            shutil.rmtree(leftover, ignore_errors=True)
    for part in out.glob(PART):  # a journal being written when its writer died
        part.unlink(missing_ok=True)


def _abandoned(folder: Path) -> bool:
    """A stage whose run is gone: nobody holds its lock (the OS released it at the death)."""
    lock = folder / STAGE_LOCK
    try:
        with file_lock(lock, wait=0):
            return True
    except OutputError:
        return False


def _replace(source: Path, target: Path) -> None:
    replace(source, target)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()
