"""Safe output: atomic writes and file names that are valid everywhere."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import tempfile
import time
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import OutputError

_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}
_UNSAFE = re.compile(r'[\x00-\x1f<>:"/\\|?*]')
MAX_NAME = 80


def _visible(text: str) -> str:
    """Without format characters (bidirectional overrides such as U+202E, zero-width spaces,
    joiners, BOMs): they make a file name read as something else and never belong in one."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def safe_name(name: str) -> str:
    """A file-name stem safe for Windows, zip tools and every shell; never a path."""
    text = _visible(unicodedata.normalize("NFC", name))
    text = _UNSAFE.sub("_", text).strip().strip(".")
    text = text.replace("..", "_")
    if not text:
        text = "未命名"
    if text.split(".")[0].upper() in _RESERVED:
        text = "_" + text
    return text[:MAX_NAME].rstrip(" .")


#: errno → what a clerk is told the cause of a failed write is.
_CAUSES = {errno.EROFS: "只读", errno.ENOSPC: "磁盘已满", errno.EDQUOT: "磁盘已满",
           errno.EACCES: "权限不足", errno.EPERM: "权限不足", errno.ENAMETOOLONG: "路径过长",
           errno.ENOENT: "文件夹不存在或已被移走", errno.EIO: "读写出错（磁盘或 U 盘可能已拔出）",
           errno.EISDIR: "同名的文件夹已存在", errno.ENOTDIR: "路径中有同名的文件"}


def cause(exc: OSError) -> str:
    """The cause of a failed write in the words a clerk uses (只读、磁盘已满、权限不足…)."""
    if getattr(exc, "winerror", None) == 32:  # ERROR_SHARING_VIOLATION: open in Excel/WPS
        return "文件正被其他程序打开（如 WPS 或 Excel），请关闭后重试"
    known = _CAUSES.get(exc.errno or 0)
    return known or (exc.strerror or type(exc).__name__)


def output_error(path: Path, exc: OSError) -> OutputError:
    """One Chinese line naming the path and the cause."""
    return OutputError(f"无法写入 {path}：{cause(exc)}")


@contextlib.contextmanager
def folder(path: Path):
    """``path`` made as a folder (with its parents) for the block; when the block fails, the
    folders it made are removed again if empty, so a failed command leaves nothing behind."""
    path = Path(path)
    missing = []
    for candidate in (path, *path.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _remove_empty(missing)
        raise output_error(path, exc) from exc
    try:
        yield path
    except BaseException:
        _remove_empty(missing)
        raise


def _remove_empty(folders: list[Path]) -> None:
    for made in folders:  # deepest first
        try:
            made.rmdir()
        except OSError:
            return


HASH_LENGTH = 8


def unit_stem(year: int, unit: str) -> str:
    """The one output stem of a unit's files, ``{年度}_{单位}``: the name itself when it is a
    safe file name, else its safe form with a short hash of the full name. So two different
    units never share a stem (``某某镇人民政府.`` and ``某某镇人民政府``, two long names with
    one prefix, a name with a hidden U+202E), and a unit keeps its stem from run to run."""
    full = f"{year}_{unicodedata.normalize('NFC', unit)}"
    safe = safe_name(full)
    if safe == full:
        return safe
    digest = hashlib.sha256(full.encode("utf-8")).hexdigest()[:HASH_LENGTH]
    return f"{safe[:MAX_NAME - HASH_LENGTH - 1].rstrip(' .')}-{digest}"


def write_atomic(path: Path, data: bytes | Iterable[bytes], durable: bool = True) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path`` on
    success. ``durable=False``: no fsync (a cache entry, which a torn write only makes a miss)."""
    path = Path(path)
    with folder(path.parent):
        _write_atomic(path, data, durable)


def write_part(directory: Path, data: bytes | Iterable[bytes], target: Path | None = None,
               durable: bool = True) -> Path:
    """``data`` (bytes, or chunks written as they come) complete on disk in a temporary
    ``.nianbao-*.part`` file in ``directory`` (which readers of the folder pass over), to be
    renamed into place (``target``, named in errors); nothing is left on failure."""
    shown = target or directory
    try:
        fd, tmp = tempfile.mkstemp(prefix=".nianbao-", suffix=".part", dir=directory)
    except OSError as exc:
        raise output_error(shown, exc) from exc
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            for chunk in ((data,) if isinstance(data, bytes) else data):
                fh.write(chunk)
            fh.flush()
            if durable and not staged(directory):  # a stage is synced once, when published
                os.fsync(fh.fileno())
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise output_error(shown, exc) from exc
        raise
    return Path(tmp)


#: The folders a run stages its results in (round.publish): their files are made durable all
#: together, once, when the stage is published, not one fsync per file.
STAGE_PREFIX = ".nianbao-run-"


def staged(directory: Path | str) -> bool:
    return any(part.startswith(STAGE_PREFIX) for part in Path(directory).parts)


def sync_tree(folder: Path) -> None:
    """Every file under ``folder`` on disk before it is made visible: one ``os.sync`` where
    the platform has it; on Windows each file flushed (FlushFileBuffers, through fsync)."""
    if hasattr(os, "sync"):
        os.sync()
        return
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and not path.is_symlink():
            with open(path, "r+b") as fh:
                os.fsync(fh.fileno())


def _write_atomic(path: Path, data: bytes | Iterable[bytes], durable: bool = True) -> None:
    tmp = write_part(path.parent, data, path, durable)
    try:
        replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise output_error(path, exc) from exc
        raise


#: How often a refused rename is retried on Windows, where a virus scanner or the indexer holds
#: a new file for a moment; a file open in WPS or Excel still fails in the end.
RETRIES, RETRY_PAUSE = 5, 0.2


def replace(source: Path | str, target: Path | str) -> None:
    """os.replace, retried briefly where Windows refuses it (PermissionError) for a moment."""
    for attempt in range(RETRIES):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if attempt == RETRIES - 1 or os.name != "nt":
                raise
            time.sleep(RETRY_PAUSE)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_chunks_atomic(path: Path, chunks: Iterable[str]) -> None:
    """``write_text_atomic`` of the text the chunks make, written as they come (a province's
    findings.json is never one string in memory)."""
    write_atomic(path, (chunk.encode("utf-8") for chunk in chunks))


def json_array_chunks(items: Iterable[Any]) -> Iterator[str]:
    """``json.dumps(list(items), ensure_ascii=False, indent=2) + "\n"``, item by item."""
    first = True
    for item in items:
        text = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        yield ("[\n  " if first else ",\n  ") + text
        first = False
    yield "[]\n" if first else "\n]\n"


def write_text_atomic(path: Path, text: str, durable: bool = True) -> None:
    write_atomic(path, text.encode("utf-8"), durable)
