"""The collection round: every returned file read, checked and rendered; one bad file is a row."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .. import sources
from ..checks import check_reading
from ..checks.findings import CheckResult
from ..errors import FileProblem, problem
from ..model import jsonform
from ..model.report import Report
from ..outfile import safe_name, write_atomic, write_text_atomic
from ..outputs.formats import DEFAULT, FORMATS
from ..workbook.reader import MAX_FILE
from ..workbook.roster import Roster
from .outcomes import (
    FAILED,
    MISSING,
    PASSED,
    SUPERSEDED,
    UNREADABLE,
    WARNED,
    WRONG_YEAR,
    BatchResult,
    Brief,
    FileOutcome,
    UnitRow,
)
from .summary import write_summary

MAX_INBOX_FILES = 5000
MAX_ZIP_TOTAL = 2 * 1024 * 1024 * 1024


# ---------------------------------------------------------------- inputs


def collect(inbox: Path, scratch: Path, skip: Path | None = None) -> list[tuple[str, Path]]:
    """(display name, path) of every file in a folder (recursively) or a .zip, in stable order;
    ``skip`` (the output folder, when it lies inside the inbox) is left out."""
    if inbox.is_dir():
        skip = skip.resolve() if skip else None
        found = sorted(p for p in inbox.rglob("*") if p.is_file() and not p.is_symlink()
                       and not (skip and p.resolve().is_relative_to(skip)))
        return [(p.relative_to(inbox).as_posix(), p) for p in found[:MAX_INBOX_FILES]]
    try:
        zf = zipfile.ZipFile(inbox)
    except (zipfile.BadZipFile, OSError) as exc:
        raise problem("TRUNCATED", f"{inbox}") from exc
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()][:MAX_INBOX_FILES]
        if sum(i.file_size for i in infos) > MAX_ZIP_TOTAL:
            raise problem("BOMB", str(inbox))
        files = []
        for n, info in enumerate(sorted(infos, key=lambda i: i.filename)):
            name = _zip_name(info)
            target = scratch / f"{n:05d}" / safe_name(Path(name).name)
            target.parent.mkdir(parents=True)
            with zf.open(info) as src, target.open("wb") as dst:
                # never more than one byte past the largest file the reader accepts
                dst.write(src.read(MAX_FILE + 1))
            files.append((name, target))
        return files


def _zip_name(info: zipfile.ZipInfo) -> str:
    """Zip tools on Chinese Windows store GBK names without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def load_previous(folder: Path | None) -> dict[tuple[str, int], Report]:
    """Earlier reports by (unit, year), from a folder of JSON files or workbooks; files that
    cannot be read are passed over (they are last year's problem, not this year's)."""
    if folder is None:
        return {}
    found: dict[tuple[str, int], Report] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        try:
            rep = sources.read(path).report
        except FileProblem:
            continue
        found.setdefault((rep.unit, rep.year), rep)
    return found


def previous_for(report: Report, previous: dict[tuple[str, int], Report]) -> Report | None:
    """The same unit's report for the year before, when the folder has it."""
    return previous.get((report.unit, report.year - 1))


# ---------------------------------------------------------------- workers

_PREVIOUS: dict[tuple[str, int], Report] = {}


def _init(previous: dict[tuple[str, int], Report]) -> None:
    global _PREVIOUS
    _PREVIOUS = previous


def _check_one(item: tuple[str, str, str]) -> FileOutcome:
    """Read one file once and check it once (against last year's report when there is one)."""
    name, path, scratch = item
    try:
        read = sources.read(Path(path))
    except FileProblem as exc:
        return FileOutcome(name, CheckResult(name, problem=exc.message, problem_code=exc.code))
    result = check_reading(read, name, previous_for(read.report, _PREVIOUS))
    return FileOutcome(name, result, Brief.of(read.report, Path(scratch)), read.saved)


def _write_one(job: tuple[str, dict[str, str], str, bool]) -> None:
    scratch, documents, data_path, draft = job
    text = Path(scratch).read_text(encoding="utf-8")
    if documents:
        report = jsonform.loads(text)
        for fmt, target in documents.items():
            write_atomic(Path(target), FORMATS[fmt].render(report, draft))
    write_text_atomic(Path(data_path), text)


def _map(pool: ProcessPoolExecutor | None, fn: Callable, items: list, tick: Callable) -> list:
    results = []
    iterator = pool.map(fn, items, chunksize=4) if pool else map(fn, items)
    for result in iterator:
        results.append(result)
        tick()
    return results


# ---------------------------------------------------------------- decisions


def _expected_year(roster: Roster | None, outcomes: Iterable[FileOutcome]) -> int | None:
    if roster is not None:
        return roster.settings.year
    years = Counter(o.brief.year for o in outcomes if o.brief is not None)
    if not years:
        return None
    top = max(years.values())
    return max(y for y, n in years.items() if n == top)


def _saved_key(outcome: FileOutcome) -> tuple[dt.datetime, str]:
    try:
        when = dt.datetime.fromisoformat(outcome.saved.replace("Z", "+00:00"))
        if when.tzinfo is not None:
            when = when.astimezone(dt.timezone.utc).replace(tzinfo=None)
    except ValueError:
        when = dt.datetime.min
    return when, outcome.file


def _status(result: CheckResult) -> str:
    if result.problem:
        return UNREADABLE
    if result.errors:
        return FAILED
    return WARNED if result.warnings else PASSED


def decide(outcomes: list[FileOutcome], roster: Roster | None, year: int | None) -> list[UnitRow]:
    """One row per roster unit and per unknown unit; duplicates and wrong years noted on files."""
    by_unit: dict[str, list[FileOutcome]] = {}
    for o in outcomes:
        if o.brief is None:
            o.status = UNREADABLE
            o.note = o.result.problem
        elif year is not None and o.brief.year != year:
            o.status = WRONG_YEAR
            o.note = f"文件年度为 {o.brief.year}，本次汇总为 {year} 年度，未生成报告"
        else:
            by_unit.setdefault(o.brief.unit, []).append(o)
    rows: dict[str, UnitRow] = {}
    for u in roster.units if roster else ():
        rows[u.name] = UnitRow(u.name, u.level, contact=u.contact, phone=u.phone)

    def row_for(unit: str, level: str) -> UnitRow:
        if unit in rows:
            return rows[unit]
        note = "不在名单中" if roster is not None else ""
        return rows.setdefault(unit, UnitRow(unit, level, note=note))

    for unit in sorted(by_unit):
        candidates = sorted(by_unit[unit], key=_saved_key)
        winner = candidates[-1]
        winner.status = _status(winner.result)
        for older in candidates[:-1]:
            older.status = SUPERSEDED
            older.note = f"同一单位另有较新的文件：{winner.file}"
        row = row_for(unit, winner.brief.level if winner.brief else "")
        row.status, row.outcome = winner.status, winner
        if len(candidates) > 1:
            row.note = (row.note + "；" if row.note else "") + f"共提交 {len(candidates)} 份，取最新"
    for o in outcomes:
        if o.status == WRONG_YEAR and o.brief is not None and o.brief.unit not in by_unit:
            row = row_for(o.brief.unit, o.brief.level)
            if row.status == MISSING:
                row.status, row.outcome = WRONG_YEAR, o
                row.note = "；".join(n for n in (row.note, o.note) if n)
    return list(rows.values())


# ---------------------------------------------------------------- the round


def run(inbox: Path, out: Path, *, roster: Roster | None = None, previous: Path | None = None,
        jobs: int = 1, draft: bool = False, formats: tuple[str, ...] = DEFAULT,
        progress: Callable[[int], Callable[[], None]] | None = None) -> BatchResult:
    """Validate every file in ``inbox``, render the reports, and write the summary to ``out``."""
    previous_reports = load_previous(previous)
    with tempfile.TemporaryDirectory(prefix="nianbao-inbox-") as scratch:
        files = collect(inbox, Path(scratch) / "inbox", skip=out)
        models = Path(scratch) / "models"
        items = [(name, str(path), str(models / f"{i:05d}.json"))
                 for i, (name, path) in enumerate(files)]
        pool = (ProcessPoolExecutor(jobs, initializer=_init, initargs=(previous_reports,))
                if jobs > 1 and len(items) > 1 else None)
        if pool is None:
            _init(previous_reports)
        try:
            tick = progress(len(items)) if progress else (lambda: None)
            outcomes = _map(pool, _check_one, items, tick)
            year = _expected_year(roster, outcomes)
            rows = decide(outcomes, roster, year)
            jobs_ = _plan_outputs(outcomes, out, draft, formats)
            _map(pool, _write_one, jobs_, lambda: None)
        finally:
            if pool is not None:
                pool.shutdown()
    result = BatchResult(year, rows, outcomes)
    findings = [o.result.to_dict() for o in sorted(outcomes, key=lambda o: o.file)]
    write_text_atomic(out / "findings.json",
                      json.dumps(findings, ensure_ascii=False, indent=2) + "\n")
    write_summary(out / "汇总.xlsx", result)
    return result


def _plan_outputs(outcomes: list[FileOutcome], out: Path, draft: bool, formats: tuple[str, ...]
                  ) -> list[tuple[str, dict[str, str], str, bool]]:
    """Which files each outcome gets: its data JSON always, its documents when it may publish."""
    plan = []
    for o in outcomes:
        if o.brief is None or o.status == SUPERSEDED:
            continue
        stem = safe_name(f"{o.brief.year}_{o.brief.unit}")
        o.data_path = f"data/{stem}.json"
        if o.status in (PASSED, WARNED) or (draft and o.status == FAILED):
            o.documents = {f: f"reports/{stem}{FORMATS[f].suffix}" for f in formats}
        targets = {f: str(out / path) for f, path in o.documents.items()}
        plan.append((o.brief.scratch, targets, str(out / o.data_path), o.status == FAILED))
    return plan


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


__all__ = ["BatchResult", "FileOutcome", "UnitRow", "default_jobs", "run"]
