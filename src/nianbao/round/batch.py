"""The collection round: every returned file read, checked and rendered; one bad file is a row."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .. import sources, spec
from ..api import check_file
from ..checks.findings import CheckResult
from ..errors import FileProblem, problem
from ..model import jsonform
from ..model.report import Report
from ..outfile import folder, unit_stem, write_atomic, write_text_atomic
from ..outputs.formats import DEFAULT, FORMATS
from ..workbook.roster import Roster
from . import publish
from .inbox import Received, collect
from .outcomes import (
    CORRECTED,
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
from .returns import (
    NOTICE,
    RETURNS,
    STATE,
    load_since,
    notices,
    plan_returns,
    write_return,
    write_state,
)
from .summary import write_summary

#: What every run writes into OUT, replacing the last run's, all together (round.json last:
#: serve watches it).
OUTPUT_FOLDERS = ("reports", "data", RETURNS)
FINDINGS, SUMMARY = "findings.json", "汇总.xlsx"
PUBLISHED = (*OUTPUT_FOLDERS, FINDINGS, SUMMARY, STATE)

# ---------------------------------------------------------------- inputs


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
_UNITS: tuple[tuple[str, str], ...] = ()


def _init(previous: dict[tuple[str, int], Report], units: tuple[tuple[str, str], ...]) -> None:
    """Each worker's view of the round: last year's reports and the roster's units."""
    global _PREVIOUS, _UNITS
    _PREVIOUS, _UNITS = previous, units


def _check_one(item: tuple[Received, str]) -> FileOutcome:
    """Read one file once and check it once (against last year's report when there is one)."""
    received, scratch = item
    when = received.time.isoformat() if received.time else ""
    if received.problem:
        result = CheckResult(received.name, problem=problem(received.problem).message,
                             problem_code=received.problem)
        return FileOutcome(received.name, result, received=when, origin=received.origin)
    read, result = check_file(received.path, lambda r: previous_for(r, _PREVIOUS), received.name,
                              _UNITS)
    brief = None if read is None else Brief.of(read.report, Path(scratch), read.typed)
    return FileOutcome(received.name, result, brief, read.saved if read else "", received=when,
                       origin=received.origin)


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


def _time(text: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(dt.timezone.utc).replace(tzinfo=None) if when.tzinfo else when


def evidence(outcome: FileOutcome) -> tuple[dt.datetime | None, str]:
    """The best evidence of when a file was made: the workbook's own save time, else the time
    the inbox gives it (file modification time, or the zip entry's time)."""
    saved = _time(outcome.saved)
    if saved is not None:
        return saved, "工作簿保存时间"
    received = _time(outcome.received)
    return (received, outcome.origin) if received is not None else (None, "")


def _newest(candidates: list[FileOutcome]) -> tuple[list[FileOutcome], str]:
    """Candidates oldest first, and which evidence decided the newest."""
    keyed = sorted(candidates, key=lambda o: (evidence(o)[0] or dt.datetime.min, o.file))
    first, second = evidence(keyed[-1]), evidence(keyed[-2])
    if first[0] is None:
        return keyed, "无时间信息，按文件名"
    if first[0] == second[0]:
        return keyed, f"{first[1]}相同，按文件名"
    return keyed, first[1]


def _status(result: CheckResult) -> str:
    if result.problem:
        return UNREADABLE
    if result.errors:
        return FAILED
    return WARNED if result.warnings else PASSED


def finding_keys(result: CheckResult) -> dict[str, str]:
    """A submission's findings as key → what it says (its 提示 explained by the unit aside)."""
    return {f"{f.code}@{'、'.join(f.cells)}": f"{spec.SEVERITY_LABEL[f.severity]}：{f.message}"
            for f in result.findings if not f.explained}


def _compare(row: UnitRow, latest: CheckResult, before: dict[str, str] | None,
             had_errors: bool) -> None:
    """Which findings the latest submission fixed and which are new, against ``before`` (the
    submission before it, or what the county last saw); 已更正 when errors are gone."""
    if before is None:
        return
    now = finding_keys(latest)
    row.fixed = tuple(before[k] for k in before if k not in now)
    row.new = tuple(now[k] for k in now if k not in before)
    if had_errors and not latest.errors and not latest.problem:
        row.status = CORRECTED


def decide(outcomes: list[FileOutcome], roster: Roster | None, year: int | None,
           since: dict[str, dict] | None = None) -> list[UnitRow]:
    """One row per roster unit and per unknown unit; duplicates and wrong years noted on files;
    each unit's submissions counted and its latest compared with the one before it (or, with
    ``since``, with what an earlier run reported for it)."""
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
        candidates, decided = (_newest(by_unit[unit]) if len(by_unit[unit]) > 1
                               else (by_unit[unit], ""))
        winner = candidates[-1]
        winner.status = _status(winner.result)
        for older in candidates[:-1]:
            older.status = SUPERSEDED
            older.note = f"同一单位另有较新的文件：{winner.file}（依据：{decided}）"
        row = row_for(unit, winner.brief.level if winner.brief else "")
        row.status, row.outcome = winner.status, winner
        row.submissions = len(candidates)
        times = [t for o in candidates if (t := evidence(o)[0]) is not None]
        row.first = min(times).isoformat(sep=" ") if times else ""
        latest = evidence(winner)[0]
        row.latest = latest.isoformat(sep=" ") if latest else ""
        earlier = (since or {}).get(unit)
        if earlier is not None:
            if earlier.get("file") != winner.file or earlier.get("latest") != row.latest:
                _compare(row, winner.result, earlier.get("findings", {}),
                         bool(earlier.get("errors")))
        elif len(candidates) > 1:
            previous = candidates[-2].result
            _compare(row, winner.result, finding_keys(previous), bool(previous.errors))
        other = next((f for f in winner.result.findings if f.code == "TEXT_OTHER_UNIT"), None)
        if other is not None:
            row.note = (row.note + "；" if row.note else "") + other.detail
        if len(candidates) > 1:
            row.note = (row.note + "；" if row.note else "") + (
                f"共提交 {len(candidates)} 份，取最新（依据：{decided}）")
        year_of = winner.brief.year if winner.brief else 0
        stem = unit_stem(year_of, unit)
        if winner.brief and stem != f"{year_of}_{unit}":
            row.note = (row.note + "；" if row.note else "") + (
                f"单位名称不能直接用作文件名，报告等文件名为“{stem}”")
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
        return_warnings: bool = False, since: Path | None = None,
        progress: Callable[[int], Callable[[], None]] | None = None) -> BatchResult:
    """Validate every file in ``inbox``, render the reports, and write the summary to ``out``.

    ``reports/``, ``data/``, ``findings.json`` and ``汇总.xlsx`` in ``out`` are exactly this
    run's: everything is written into a staging folder first and moved into place at the end,
    so a run that fails half way leaves the last complete run's outputs as they were.
    """
    previous_reports = load_previous(previous)
    earlier = load_since(since)
    with folder(out), publish.stage(out) as stage:
        with tempfile.TemporaryDirectory(prefix="nianbao-inbox-") as scratch:
            files = collect(inbox, Path(scratch) / "inbox", skip=out)
            items = [(received, str(Path(scratch) / "models" / f"{i:05d}.json"))
                     for i, received in enumerate(files)]
            result = _process(items, stage, roster, previous_reports, jobs, draft, formats,
                              progress, return_warnings, earlier)
        publish.publish(stage, out, PUBLISHED)
    return result


def _process(items: list[tuple[Received, str]], stage: Path, roster: Roster | None,
             previous_reports: dict[tuple[str, int], Report], jobs: int, draft: bool,
             formats: tuple[str, ...], progress, return_warnings: bool = False,
             earlier: dict[str, dict] | None = None) -> BatchResult:
    units = tuple((u.name, u.parent) for u in roster.units) if roster else ()
    pool = (ProcessPoolExecutor(jobs, initializer=_init, initargs=(previous_reports, units))
            if jobs > 1 and len(items) > 1 else None)
    if pool is None:
        _init(previous_reports, units)
    try:
        tick = progress(len(items)) if progress else (lambda: None)
        outcomes = _map(pool, _check_one, items, tick)
        year = _expected_year(roster, outcomes)
        rows = decide(outcomes, roster, year, earlier)
        for folder in OUTPUT_FOLDERS:
            (stage / folder).mkdir()
        _map(pool, _write_one, _plan_outputs(outcomes, stage, draft, formats), lambda: None)
        _map(pool, write_return, plan_returns(rows, stage, roster, return_warnings),
             lambda: None)
    finally:
        if pool is not None:
            pool.shutdown()
    result = BatchResult(year, rows, outcomes)
    findings = [o.result.to_dict() for o in sorted(outcomes, key=lambda o: o.file)]
    write_text_atomic(stage / FINDINGS, json.dumps(findings, ensure_ascii=False, indent=2) + "\n")
    write_summary(stage / SUMMARY, result)
    write_text_atomic(stage / RETURNS / NOTICE, notices(rows, roster, year))
    write_state(stage / STATE, rows)
    return result


def _plan_outputs(outcomes: list[FileOutcome], out: Path, draft: bool, formats: tuple[str, ...]
                  ) -> list[tuple[str, dict[str, str], str, bool]]:
    """Which files each outcome gets: its data JSON always, its documents when it may publish."""
    plan = []
    for o in outcomes:
        if o.brief is None or o.status == SUPERSEDED:
            continue
        stem = unit_stem(o.brief.year, o.brief.unit)
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
