"""A round's folder as the web page sees it: 名单.xlsx, 收件箱/ (files as received), 结果/.

Everything here is what the command line does on the same folder (``batch 收件箱 --out 结果
--roster 名单.xlsx``); the page adds nothing the files do not hold, so the CLI can work on the
folder at the same time. Files are stored under their own names and never overwritten; one lock
orders storing and rerunning the round, so two clerks uploading at once lose nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
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
    safe_name,
    unit_stem,
    write_atomic,
    write_part,
)
from ..round import batch, outcomes, publish
from ..round.inbox import is_litter
from ..round.returns import NOTICE, RETURNS, STATE
from ..workbook import template
from ..workbook.reader import MAX_FILE
from ..workbook.roster import Roster, read_roster, roster_template_bytes

ROSTER, INBOX, RESULTS = "名单.xlsx", "收件箱", "结果"
#: The 状态 words of the page and the API; the round's other statuses map onto them.
STATUSES = (outcomes.PASSED, outcomes.WARNED, outcomes.FAILED, outcomes.UNREADABLE,
            outcomes.MISSING, outcomes.CORRECTED)
_STATUS = {outcomes.WRONG_YEAR: outcomes.FAILED, outcomes.SUPERSEDED: outcomes.PASSED}
FORMATS = ("docx", "html", "pdf")


@dataclass(frozen=True)
class Stored:
    """One uploaded file: the name it was sent under (made safe), the name it has in the inbox,
    and whether the same content was there already (under that name)."""

    received: str
    name: str
    duplicate: bool = False


def status_word(status: str) -> str:
    return _STATUS.get(status, status)


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
                          formats=("docx", "html"))
                self.problem = ""
            except NianbaoError as exc:
                self.problem = exc.message

    # ------------------------------------------------------------ reading the results
    def state(self) -> dict[str, dict]:
        with publish.results_lock(self.results, reader=True):  # one complete set, never a mix
            units = self._cached(self.results / STATE, _units_of)
        return units if isinstance(units, dict) else {}

    def version(self) -> str:
        """Changes whenever the round's results do (the page polls it)."""
        try:
            return str((self.results / STATE).stat().st_mtime_ns)
        except OSError:
            return "0"

    def units(self) -> list[dict]:
        """One object per roster unit, then per unit that sent a file but is not on the roster."""
        roster = self.roster()
        state = self.state()
        names = [u.name for u in roster.units] if roster else []
        listed = set(names)
        names += [n for n in state if n not in listed]
        rows = []
        for name in names:
            s = state.get(name, {})
            rows.append({"unit": name, "status": status_word(s.get("status", outcomes.MISSING)),
                         "errors": s.get("errors", 0), "warnings": s.get("warnings", 0),
                         "submissions": s.get("submissions", 0), "latest": s.get("latest", ""),
                         "on_roster": name in listed})
        return rows

    def findings(self) -> list[dict]:
        with publish.results_lock(self.results, reader=True):
            data = self._cached(self.results / "findings.json", _json)
        return data if isinstance(data, list) else []

    def unreadable(self) -> list[dict]:
        """Files the round could not read (no unit is known for them)."""
        return [{"file": r.get("file", ""), "problem": (r.get("findings") or [{}])[0].get(
            "message", "")} for r in self.findings() if not r.get("unit")]

    def unit(self, name: str) -> dict | None:
        """A unit's findings (validate's JSON), submissions, downloads and 通知 text."""
        known = {u["unit"]: u for u in self.units()}
        if name not in known:
            return None
        state = self.state().get(name, {})
        chosen = state.get("file", "")
        results = [r for r in self.findings() if r.get("unit") == name or r.get("file") == chosen]
        latest = next((r for r in results if r.get("file") == chosen), None)
        return {**known[name], "file": chosen, "result": latest,
                "submissions_list": [r.get("file", "") for r in results],
                "downloads": self.downloads(name), "notice": self.notice(name)}

    def downloads(self, name: str) -> dict[str, str]:
        """Format → file under 结果/ for this unit's report and 退回件 (names batch gives them)."""
        found = {}
        stems = {unit_stem(year, name) for year in self._years()}
        for fmt in FORMATS:
            for stem in stems:
                if (self.results / "reports" / f"{stem}.{fmt}").is_file():
                    found[fmt] = f"reports/{stem}.{fmt}"
        for stem in stems:
            if (self.results / RETURNS / f"{stem}.xlsx").is_file():
                found["return"] = f"{RETURNS}/{stem}.xlsx"
        return found

    def _years(self) -> set[int]:
        roster = self.roster()
        years = {roster.settings.year} if roster else set()
        years |= {r["year"] for r in self.findings() if isinstance(r.get("year"), int)}
        return years

    def notice(self, name: str) -> str:
        try:
            text = (self.results / RETURNS / NOTICE).read_text(encoding="utf-8")
        except OSError:
            return ""
        return "\n".join(line for line in text.splitlines()
                         if line.startswith(f"【{name}】") or line.startswith(f"【催报】{name}"))

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

    def outcome(self, stored: Stored) -> dict:
        """What the round made of one stored file (an archive: of its first member)."""
        for r in self.findings():
            file = r.get("file", "")
            if file == stored.name or file.startswith(stored.name + "/"):
                answer = {"file": stored.received, "unit": r.get("unit", "")}
                if stored.name != stored.received:
                    answer["stored"] = stored.name
                items = r.get("findings", [])
                if not r.get("unit"):
                    answer["problem"] = items[0].get("message", "") if items else "无法读取"
                else:
                    errors = sum(1 for f in items if f.get("severity") == "error")
                    warnings = sum(1 for f in items
                                   if f.get("severity") != "error" and not f.get("explained"))
                    answer["status"] = (outcomes.FAILED if errors else outcomes.WARNED
                                        if warnings else outcomes.PASSED)
                if stored.duplicate:
                    answer["duplicate"] = True
                return answer
        return {"file": stored.received, "problem": self.problem or "未能处理"}


def _json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _units_of(path: Path) -> object:
    data = _json(path)
    return data.get("units") if isinstance(data, dict) else None


def too_large(size: int) -> bool:
    return size > MAX_FILE * 5  # an archive of several returns is allowed to be bigger
