"""Run a reader of untrusted files in a child process, bounded in time and memory.

pdfium is C code: a PDF made to be slow (or to allocate without end) cannot be interrupted from
Python. The child is forked (cheap: nothing is imported again), its address space is capped
above what it already uses, and it is killed when time runs out; the parent gets the result,
the :class:`FileProblem` the reader raised, or ``TIMEOUT`` / ``MEMORY``.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import resource
import threading
from collections.abc import Callable
from typing import Any

from ..errors import FileProblem, problem

SECONDS = 30.0
MEMORY = 1024 * 1024 * 1024  # bytes a child may add to what it has at the fork


def _used() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _child(conn, function: Callable[..., Any], args: tuple, memory: int) -> None:
    try:
        # what C code says as it dies (an abort on a failed allocation) is not for the user
        faulthandler.disable()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        used = _used()
        if used:
            resource.setrlimit(resource.RLIMIT_AS, (used + memory, used + memory))
        conn.send(("ok", function(*args)))
    except FileProblem as exc:
        conn.send(("problem", (exc.code, exc.message)))
    except MemoryError:
        conn.send(("problem", ("MEMORY", problem("MEMORY").message)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent as INTERNAL
        conn.send(("error", type(exc).__name__))
    finally:
        conn.close()


def run(function: Callable[..., Any], *args: Any, seconds: float | None = None,
        memory: int | None = None) -> Any:
    """``function(*args)`` in a bounded child; its FileProblem is raised here."""
    seconds = SECONDS if seconds is None else seconds
    memory = MEMORY if memory is None else memory
    # fork is cheap and needs nothing picklable but the result; with threads running (the
    # web server) a fork could copy a held lock, so a fresh forkserver child is used instead.
    method = "fork" if threading.active_count() == 1 else "forkserver"
    context = multiprocessing.get_context(method)
    receive, send = context.Pipe(duplex=False)
    child = context.Process(  # type: ignore[attr-defined]
        target=_child, args=(send, function, args, memory), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(seconds):
            child.kill()
            raise problem("TIMEOUT", f"超过 {seconds:g} 秒")
        try:
            kind, value = receive.recv()
        except (EOFError, OSError) as exc:  # the child died (out of memory in C code)
            raise problem("MEMORY") from exc
    finally:
        receive.close()
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()
    if kind == "ok":
        return value
    if kind == "problem":
        raise FileProblem(*value)
    raise problem("INTERNAL", value)
