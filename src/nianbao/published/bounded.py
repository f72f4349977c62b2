"""Run a reader of untrusted files in a child process, bounded in time and memory.

pdfium is C code: a PDF made to be slow (or to allocate without end) cannot be interrupted from
Python. The child is forked where the platform forks (cheap: nothing is imported again) and
spawned on Windows; its memory is capped above what it already uses (``RLIMIT_AS`` on POSIX, a
job object's process memory limit on Windows), and it is killed when time runs out; the parent
gets the result, the :class:`FileProblem` the reader raised, or ``TIMEOUT`` / ``MEMORY``.
Nothing Unix-only is imported at module level: this module loads on every platform.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from ..errors import FileProblem, problem

SECONDS = 30.0
MEMORY = 1024 * 1024 * 1024  # bytes a child may add to what it has at the fork


#: What a freshly spawned Windows child has before it reads anything (the interpreter and
#: nianbao's imports), added to MEMORY where the child's own use cannot be read.
SPAWN_BASELINE = 256 * 1024 * 1024
WINDOWS = sys.platform == "win32"


def _used() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return 0


def _limit_memory(memory: int) -> None:
    """Cap this process's memory at what it uses now plus ``memory``, as the platform allows."""
    if WINDOWS:
        _limit_windows(memory + SPAWN_BASELINE)
        return
    used = _used()
    if not used:
        return
    # The heap's free space is mapped already: the child could fill it without raising its
    # address space, on top of ``memory``. It is taken off what counts as used.
    used = max(used - _free_heap(), used // 2)
    import resource  # POSIX only: imported where it exists

    resource.setrlimit(resource.RLIMIT_AS, (used + memory, used + memory))


def _limit_windows(limit: int) -> None:
    """Put this process in a job whose process memory limit is ``limit`` bytes (Windows 8 and
    later allow a process already in a job, as under a console, to join a nested one)."""
    import ctypes
    from ctypes import wintypes

    class Basic(ctypes.Structure):
        _fields_ = [("PerProcessUserTimeLimit", ctypes.c_int64),
                    ("PerJobUserTimeLimit", ctypes.c_int64), ("LimitFlags", wintypes.DWORD),
                    ("MinimumWorkingSetSize", ctypes.c_size_t),
                    ("MaximumWorkingSetSize", ctypes.c_size_t),
                    ("ActiveProcessLimit", wintypes.DWORD), ("Affinity", ctypes.c_size_t),
                    ("PriorityClass", wintypes.DWORD), ("SchedulingClass", wintypes.DWORD)]

    class Counters(ctypes.Structure):
        _fields_ = [(name, ctypes.c_uint64) for name in (
            "ReadOperationCount", "WriteOperationCount", "OtherOperationCount",
            "ReadTransferCount", "WriteTransferCount", "OtherTransferCount")]

    class Extended(ctypes.Structure):
        _fields_ = [("BasicLimitInformation", Basic), ("IoInfo", Counters),
                    ("ProcessMemoryLimit", ctypes.c_size_t), ("JobMemoryLimit", ctypes.c_size_t),
                    ("PeakProcessMemoryUsed", ctypes.c_size_t),
                    ("PeakJobMemoryUsed", ctypes.c_size_t)]

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32.CreateJobObjectW.restype = wintypes.HANDLE
    kernel32.GetCurrentProcess.restype = wintypes.HANDLE
    job = kernel32.CreateJobObjectW(None, None)
    if not job:
        return
    info = Extended()
    info.BasicLimitInformation.LimitFlags = 0x100  # JOB_OBJECT_LIMIT_PROCESS_MEMORY
    info.ProcessMemoryLimit = limit
    extended_limit_information = 9
    if kernel32.SetInformationJobObject(wintypes.HANDLE(job), extended_limit_information,
                                        ctypes.byref(info), ctypes.sizeof(info)):
        kernel32.AssignProcessToJobObject(wintypes.HANDLE(job),
                                          wintypes.HANDLE(kernel32.GetCurrentProcess()))


def _glibc():
    """The C library where it is glibc's (Linux), else None."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None  # musl has none of these


def _free_heap() -> int:
    """Bytes malloc holds free in its arenas (mallinfo2, or mallinfo before glibc 2.33)."""
    libc = _glibc()
    if libc is None:
        return 0
    import ctypes

    for name, field in (("mallinfo2", ctypes.c_size_t), ("mallinfo", ctypes.c_int)):
        function = getattr(libc, name, None)
        if function is None:
            continue

        class Info(ctypes.Structure):
            _fields_ = [(n, field) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                                             "usmblks", "fsmblks", "uordblks", "fordblks",
                                             "keepcost")]

        function.restype = Info
        return max(int(function().fordblks), 0)
    return 0


def _trim() -> None:
    """Give the heap's free memory back to the system before a fork (malloc_trim): what the
    parent freed after reading a large file would otherwise stay resident in it and be
    inherited by the child."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


def start_method() -> str:
    """fork where it is safe and exists (cheap: nothing is imported again); with threads
    running (the web server) a fork could copy a held lock, so a forkserver child; spawn on
    Windows, the only method it has."""
    available = multiprocessing.get_all_start_methods()
    if WINDOWS or "fork" not in available:
        return "spawn"
    return "fork" if threading.active_count() == 1 else "forkserver"


def _child(conn, function: Callable[..., Any], args: tuple, memory: int) -> None:
    try:
        # what C code says as it dies (an abort on a failed allocation) is not for the user
        faulthandler.disable()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        _limit_memory(memory)
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
    method = start_method()
    if method == "fork":
        _trim()
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
