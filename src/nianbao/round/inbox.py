"""The inbox of a round: every received file, from a folder, an archive, archives inside either
(to a fixed depth, under one size budget), or a single file; platform litter and earlier result
folders left out. Each file comes with the time its container gives it, as evidence of order."""

from __future__ import annotations

import datetime as dt
import functools
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import problem
from ..outfile import safe_name
from ..workbook.reader import MAX_FILE, ZIP_ERRORS, ZIP_MAGIC
from .results import FINDINGS, SUMMARY

MAX_INBOX_FILES = 5000
MAX_ZIP_TOTAL = 2 * 1024 * 1024 * 1024
#: An archive inside an archive inside the inbox is opened; one level deeper is a row.
MAX_DEPTH = 2
LITTER_NAMES = {".ds_store", "thumbs.db", "desktop.ini", ".localized"}
LITTER_FOLDERS = {"__macosx", ".git", ".svn"}
#: What marks a folder as the output of an earlier ``batch`` run.
RESULT_MARKERS = (FINDINGS, SUMMARY)  # an earlier run's results left in the inbox


@dataclass(frozen=True)
class Received:
    """One file as received: its name in the inbox, where it lies now, and the time its
    container gives it (file modification time, or the zip entry's time)."""

    name: str
    path: Path
    time: dt.datetime | None
    origin: str  # "文件修改时间" or "压缩包内的时间"
    problem: str = ""  # a file-problem code when the entry itself could not be taken in


def is_litter(relative: str) -> bool:
    """Files that operating systems and archivers leave behind (``__MACOSX/._x.xlsx``)."""
    parts = relative.replace("\\", "/").split("/")
    name = parts[-1].lower()
    return (name in LITTER_NAMES or parts[-1].startswith("._")
            or (name.startswith(".nianbao-") and name.endswith(".part"))  # a write under way
            or any(p.lower() in LITTER_FOLDERS for p in parts[:-1]))


def is_archive(path: Path) -> bool:
    """A zip archive that is not itself an Office document (a workbook is a zip too).

    Remembered per file version (path, size, modification time, inode): serve asks it of every
    file of the inbox at every upload, and opening a thousand zips costs a third of a second."""
    try:
        st = path.stat()
    except OSError:
        return False
    return _is_archive(str(path), st.st_size, st.st_mtime_ns, st.st_ino)


@functools.lru_cache(maxsize=65536)
def _is_archive(name: str, size: int, mtime_ns: int, inode: int) -> bool:
    path = Path(name)
    try:
        with path.open("rb") as fh:
            if not fh.read(4).startswith(ZIP_MAGIC):
                return False
        with zipfile.ZipFile(path) as zf:
            names = {n.lower() for n in zf.namelist()}
    except ZIP_ERRORS:
        return False
    return "[content_types].xml" not in names and "mimetype" not in names


def _result_folders(root: Path) -> set[Path]:
    return {p.parent for p in root.rglob(RESULT_MARKERS[0])
            if (p.parent / RESULT_MARKERS[1]).is_file()}


def _mtime(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc).replace(tzinfo=None)


class _Collector:
    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.budget = MAX_ZIP_TOTAL
        self.files: list[Received] = []

    def full(self) -> bool:
        return len(self.files) >= MAX_INBOX_FILES

    def add(self, received: Received, depth: int) -> None:
        if self.full() and not received.problem and not is_archive(received.path):
            # past the cap: a row, never silence (an archive's members are each named)
            self.files.append(Received(received.name, received.path, received.time,
                                       received.origin, "TOO_MANY_FILES"))
            return
        if received.problem or not is_archive(received.path):
            self.files.append(received)
        elif depth >= MAX_DEPTH:
            self.files.append(Received(received.name, received.path, received.time,
                                       received.origin, "NESTED_TOO_DEEP"))
        else:
            self.expand(received, depth + 1)

    def expand(self, archive: Received, depth: int, inbox: bool = False) -> None:
        """Every member of an archive, each written at most one byte past what a reader takes;
        members are named under the archive's name unless the archive is the inbox itself."""
        try:
            zf = zipfile.ZipFile(archive.path)
        except ZIP_ERRORS as exc:
            raise problem("TRUNCATED", archive.name) from exc
        with zf:
            infos = [i for i in zf.infolist() if not i.is_dir() and not is_litter(_name(i))]
            declared = sum(min(i.file_size, MAX_FILE + 1) for i in infos)
            if declared > self.budget:
                if inbox:
                    raise problem("BOMB", archive.name)
                self.files.append(Received(archive.name, archive.path, archive.time,
                                           archive.origin, "BOMB"))
                return
            self.budget -= declared
            for info in sorted(infos, key=lambda i: i.filename):
                name = _name(info) if inbox else f"{archive.name}/{_name(info)}"
                if self.full():  # past the cap: named as a row, not unpacked
                    self.files.append(Received(name, archive.path, _stamp(info),
                                               "压缩包内的时间", "TOO_MANY_FILES"))
                    continue
                target = self.scratch / f"{len(self.files):05d}-{depth}" / safe_name(
                    Path(_name(info)).name)
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    with zf.open(info) as src, target.open("wb") as dst:
                        dst.write(src.read(MAX_FILE + 1))
                except ZIP_ERRORS:
                    self.files.append(Received(name, target, None, "", "TRUNCATED"))
                    continue
                self.add(Received(name, target, _stamp(info), "压缩包内的时间"),
                         depth)


def _stamp(info: zipfile.ZipInfo) -> dt.datetime | None:
    """The member's time as the archive states it; a DOS date no calendar has (month 0, day 31
    of February, hour 31) is no time, as for a member that cannot be unpacked."""
    try:
        return dt.datetime(*info.date_time)
    except ValueError:
        return None


def _name(info: zipfile.ZipInfo) -> str:
    """Zip tools on Chinese Windows store GBK names without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def collect(inbox: Path, scratch: Path, skip: Path | None = None) -> list[Received]:
    """Every received file in a stable order. ``inbox`` is a folder (searched recursively), an
    archive, or one file; ``skip`` (this run's output folder) and earlier result folders inside
    the inbox are left out, and so is platform litter."""
    collector = _Collector(scratch)
    if not inbox.is_dir():
        received = Received(inbox.name, inbox, _mtime(inbox), "文件修改时间")
        if is_archive(inbox):
            collector.expand(received, 1, inbox=True)
        else:  # one returned workbook (a workbook is a zip too, but not an inbox)
            collector.files.append(received)
        return collector.files
    excluded = {p.resolve() for p in _result_folders(inbox)}
    if skip is not None:
        excluded.add(skip.resolve())
    for path in sorted(inbox.rglob("*")):
        relative = path.relative_to(inbox).as_posix()
        if (not path.is_file() or path.is_symlink() or is_litter(relative)
                or any(path.resolve().is_relative_to(e) for e in excluded)):
            continue
        collector.add(Received(relative, path, _mtime(path), "文件修改时间"), 0)
    return collector.files
