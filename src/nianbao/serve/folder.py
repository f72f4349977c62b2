"""A round's folder as the web page sees it: 名单.xlsx, 收件箱/ (files as received), 结果/.

Everything here is what the command line does on the same folder (``batch 收件箱 --out 结果
--roster 名单.xlsx``); the page adds nothing the files do not hold, so the CLI can work on the
folder at the same time. Files are stored under their own names and never overwritten; one lock
orders storing and rerunning the round, so two clerks uploading at once lose nothing.
"""

from __future__ import annotations

import hashlib
import io
import os
import posixpath
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import NianbaoError, OutputError
from ..model.unit import Unit
from ..outfile import (
    folder as folder_made,
    output_error,
    replace,
    safe_name,
    unit_stem,
    write_atomic,
    write_part,
)
from ..outputs import formats
from ..round import batch
from ..round.inbox import is_litter
from ..round.outcomes import NOT_TEMPLATE, UNREADABLE
from ..round.results import STATE, UNIT_STATES, Round
from ..workbook import template
from ..workbook.reader import MAX_FILE
from ..workbook.roster import Roster, read_roster, roster_template_bytes

ROSTER, INBOX, RESULTS = "名单.xlsx", "收件箱", "结果"
#: The 状态 words of the page and the API; the round's other statuses map onto them.
STATUSES = UNIT_STATES


@dataclass(frozen=True)
class Stored:
    """One uploaded file: the name it was sent under (made safe), the name it has in the inbox,
    and whether the same content was there already (under that name)."""

    received: str
    name: str
    duplicate: bool = False


class RoundFolder:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.roster_path = self.root / ROSTER
        self.inbox = self.root / INBOX
        self.results = self.root / RESULTS
        self.lock = threading.Lock()
        self.problem = ""  # why the last run of the round failed, in one line
        self._cache: dict[str, tuple[tuple[int, int], object]] = {}

    def _cached(self, path: Path, load):
        """``load(path)``, read again only when the file changed (the page is asked often)."""
        try:
            st = path.stat()
        except OSError:
            return None
        key = (st.st_mtime_ns, st.st_size)
        hit = self._cache.get(str(path))
        if hit is None or hit[0] != key:
            hit = (key, load(path))
            self._cache[str(path)] = hit
        return hit[1]

    # ------------------------------------------------------------ the roster
    def roster(self) -> Roster | None:
        def load(path: Path) -> Roster | str:
            try:
                return read_roster(path)
            except NianbaoError as exc:
                return exc.message

        found = self._cached(self.roster_path, load)
        if isinstance(found, str):
            self.problem = found
            return None
        return found

    def create_roster(self, year: int) -> bool:
        """The roster template, on a fresh folder only (an existing roster is never replaced)."""
        with self.lock:
            if self.roster_path.exists():
                return False
            write_atomic(self.roster_path, roster_template_bytes(year))
            return True

    def replace_roster(self, data: bytes) -> tuple[Roster | None, str, list[str]]:
        """A filled roster uploaded from the page: read as ``template --roster`` reads it; kept
        as 名单.xlsx only when it can be used. (roster, why it cannot, its rows' problems)."""
        with self.lock, folder_made(self.root):
            part = write_part(self.root, data, self.roster_path)
            try:
                try:
                    roster = read_roster(part)
                except NianbaoError as exc:
                    return None, exc.message.replace(str(part), ROSTER), []
                replace(part, self.roster_path)
            finally:
                part.unlink(missing_ok=True)
        self._cache.pop(str(self.roster_path), None)
        return roster, "", [*roster.errors, *roster.notes]

    def templates_zip(self, only: str | None = None) -> bytes:
        """Every roster unit's template (or one unit's) in one zip, named as ``template`` names."""
        roster = self.roster()
        if roster is None:
            raise LookupError("no roster")
        units = [u for u in roster.units if only is None or u.name == only]
        if not units:
            raise LookupError(only)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for unit in units:
                name = f"{unit_stem(roster.settings.year, unit.name)}.xlsx"
                zf.writestr(name, template.build_bytes(unit, roster.settings))
        return buf.getvalue()

    def template_one(self, unit_name: str) -> tuple[str, bytes]:
        roster = self.roster()
        unit: Unit | None = next((u for u in roster.units if u.name == unit_name), None) \
            if roster else None
        if roster is None or unit is None:
            raise LookupError(unit_name)
        return (f"{unit_stem(roster.settings.year, unit.name)}.xlsx",
                template.build_bytes(unit, roster.settings))

    # ------------------------------------------------------------ receiving
    def store(self, name: str, data: bytes) -> Stored:
        """Keep a returned file under its own name; the same content twice is kept once, a
        different file of the same name is kept beside it (name (2).xlsx). The file is written
        under a temporary name and renamed only when complete, so a full disk or a pulled USB
        stick leaves nothing in the inbox; raises :class:`OutputError` saying why."""
        base = safe_name(Path(name.replace("\\", "/")).name) or "未命名"
        stem, dot, suffix = base.rpartition(".")
        if not dot:
            stem, suffix = base, ""
        digest = hashlib.sha256(data).digest()
        with self.lock, folder_made(self.inbox):
            for existing in self.inbox.iterdir():
                if (existing.is_file() and not is_litter(existing.name)
                        and existing.stat().st_size == len(data)
                        and hashlib.sha256(existing.read_bytes()).digest() == digest):
                    return Stored(base, existing.name, duplicate=True)
            part = write_part(self.inbox, data, self.inbox / base)
            try:
                for n in range(1, 10_000):
                    candidate = base if n == 1 else f"{stem} ({n}){dot}{suffix}"
                    target = self.inbox / candidate
                    if not target.exists():  # names are taken under self.lock only
                        os.replace(part, target)
                        return Stored(base, candidate)
            except OSError as exc:
                raise output_error(self.inbox / base, exc) from exc
            finally:
                part.unlink(missing_ok=True)
        raise OutputError(f"收件箱中名为“{base}”的文件过多")

    def refresh(self) -> None:
        """Run the round again over the whole inbox (as ``batch`` does)."""
        with self.lock:
            if not self.inbox.is_dir() or not any(self.inbox.iterdir()):
                return
            try:
                batch.run(self.inbox, self.results, roster=self.roster(), jobs=1,
                          formats=formats.SERVED)
                self.problem = ""
            except NianbaoError as exc:
                self.problem = exc.message

    # ------------------------------------------------------------ reading the results
    def round(self) -> Round:
        """The finished round as batch left it, read again only when round.json changed."""
        found = self._cached(self.results / STATE, lambda path: Round.load(self.results))
        return found if isinstance(found, Round) else Round(self.results)

    def version(self) -> str:
        """Changes whenever the round's results do (the page polls it)."""
        try:
            return str((self.results / STATE).stat().st_mtime_ns)
        except OSError:
            return "0"

    def units(self) -> list[dict]:
        """One object per roster unit, then per unit that sent a file but is not on the roster;
        the state is the round's own (results.UnitState), never decided here again."""
        roster = self.roster()
        done = self.round()
        names = [u.name for u in roster.units] if roster else []
        listed = set(names)
        names += [n for n in done.units if n not in listed]
        rows = []
        for name in names:
            u = done.unit(name)
            rows.append({"unit": name, "status": u.status, "errors": u.errors,
                         "warnings": u.warnings, "submissions": u.submissions,
                         "latest": u.latest, "note": u.note, "on_roster": name in listed})
        return rows

    def findings(self) -> list[dict]:
        return self.round().results

    def unreadable(self) -> list[dict]:
        """Files the round could not give to any unit (unreadable, no unit named by the name)."""
        return [{"file": f.file, "problem": f.problem or f.note}
                for f in self.round().unattributed()]

    def unit(self, name: str) -> dict | None:
        """A unit's findings (validate's JSON), submissions, downloads and 通知 text."""
        known = {u["unit"]: u for u in self.units()}
        if name not in known:
            return None
        done = self.round()
        state = done.unit(name)
        files = [done.files[f] for f in state.files if f in done.files]
        return {**known[name], "file": state.file, "result": done.result_of(state.file),
                "problem": state.problem, "submissions_list": [f.file for f in files],
                "submission_notes": {f.file: f.note for f in files},
                "downloads": self.downloads(name), "notice": done.notice(name)}

    def downloads(self, name: str) -> dict[str, str]:
        """Format → file under 结果/ for this unit's report and 退回件 (names batch gives them)."""
        roster = self.roster()
        done = self.round()
        years = done.years() | ({roster.settings.year} if roster else set())
        return done.downloads(name, years, [(f.name, f.suffix) for f in formats.FORMATS.values()])

    def result_file(self, relative: str, allowed: tuple[str, ...]) -> Path | None:
        """A file under 结果/ named by a download link, on the ``allowed`` list both as named
        (after normalisation: ``reports/../round.json`` is ``round.json``) and as it really is
        (a link inside reports/ pointing elsewhere is not followed); None for anything else."""
        named = posixpath.normpath(relative)
        if named.startswith(("/", "../")) or named == ".." or not named.startswith(allowed):
            return None
        root = self.results.resolve()
        target = (root / named).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            return None
        if not target.relative_to(root).as_posix().startswith(allowed):
            return None
        return target

    def outcomes(self, stored: Stored) -> list[dict]:
        """What the round made of one stored file: one answer for a workbook, one per file
        inside it for an archive; each with the state the round decided for it."""
        done = self.round()
        inside = sorted(f for f in done.files
                        if f == stored.name or f.startswith(stored.name + "/"))
        if not inside:
            return [{"file": stored.received, "problem": self.problem or "未能处理"}]
        answers = []
        for name in inside:
            state = done.files[name]
            answer: dict = {"file": stored.received + name[len(stored.name):],
                            "unit": state.unit}
            if stored.name != stored.received:
                answer["stored"] = name
            if state.status in (UNREADABLE, NOT_TEMPLATE):
                answer["problem"] = state.note or state.problem or "无法读取"
            else:
                answer["status"] = state.status
            if stored.duplicate:
                answer["duplicate"] = True
            answers.append(answer)
        return answers


def too_large(size: int) -> bool:
    return size > MAX_FILE * 5  # an archive of several returns is allowed to be bigger
