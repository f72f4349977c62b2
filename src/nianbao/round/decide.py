"""What a round decides from its files: one state per roster unit (and per unknown unit that
sent something), which submission is adopted, and what every file was.

Every roster unit is told the truth: a file that cannot be read is given to the unit its name
says (千佛镇（损坏）.xlsx → 井研县千佛镇人民政府) and the unit is 无法读取, not 未提交; a
workbook of another year carries its own 错误 (YEAR_MISMATCH) like any other; a published
report sent into a round of workbooks is never adopted over a workbook.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import PurePosixPath

from ..checks.findings import CheckResult
from ..checks.text import aliases
from ..workbook.roster import Roster
from .outcomes import CORRECTED, MISSING, NOT_TEMPLATE, SUPERSEDED, UNREADABLE, FileOutcome, UnitRow
from .results import finding_keys, status_of, stem

NOT_TEMPLATE_NOTE = "是已发布的报告，不是填报模板"


def expected_year(roster: Roster | None, outcomes: Iterable[FileOutcome]) -> int | None:
    """The roster's year, or the year most files have (the later one on a tie)."""
    if roster is not None:
        return roster.settings.year
    years: dict[int, int] = {}
    for o in outcomes:
        if o.brief is not None:
            years[o.brief.year] = years.get(o.brief.year, 0) + 1
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


def _oldest_first(candidates: list[FileOutcome]) -> tuple[list[FileOutcome], str]:
    """Candidates oldest first, and which evidence decided the newest."""
    keyed = sorted(candidates, key=lambda o: (evidence(o)[0] or dt.datetime.min, o.file))
    if len(keyed) < 2:
        return keyed, ""
    first, second = evidence(keyed[-1]), evidence(keyed[-2])
    if first[0] is None:
        return keyed, "无时间信息，按文件名"
    if first[0] == second[0]:
        return keyed, f"{first[1]}相同，按文件名"
    return keyed, first[1]


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


def named_unit(file: str, roster: Roster | None) -> str:
    """The roster unit a file's name names (its full name, or a 乡镇/街道's short name), when
    exactly one does so with its longest name; else ''."""
    if roster is None:
        return ""
    name = PurePosixPath(file.replace("\\", "/")).name
    best: list[tuple[int, str]] = []
    for unit in roster.units:
        found = [len(a) for a in aliases(unit.name, unit.parent) if a and a in name]
        if found:
            best.append((max(found), unit.name))
    if not best:
        return ""
    longest = max(length for length, _ in best)
    named = [unit for length, unit in best if length == longest]
    return named[0] if len(named) == 1 else ""


def _note(row: UnitRow, text: str) -> None:
    row.note = f"{row.note}；{text}" if row.note else text


def decide(outcomes: list[FileOutcome], roster: Roster | None, year: int | None,
           since: dict[str, dict] | None = None) -> list[UnitRow]:
    """One row per roster unit and per unknown unit; each unit's files counted and listed, the
    newest readable one adopted and compared with the one before it (or, with ``since``, with
    what an earlier run reported for the unit)."""
    workbook_round = any(o.brief is not None and o.brief.source == "workbook" for o in outcomes)
    by_unit: dict[str, list[FileOutcome]] = {}
    for o in outcomes:
        o.status = status_of(o.result)
        if o.brief is None:
            o.attributed = named_unit(o.file, roster)
            o.note = f"无法读取：{o.result.problem}" if o.attributed else o.result.problem
        elif workbook_round and o.brief.source != "workbook":
            o.status, o.note = NOT_TEMPLATE, NOT_TEMPLATE_NOTE
        if o.unit:
            by_unit.setdefault(o.unit, []).append(o)
    rows: dict[str, UnitRow] = {u.name: UnitRow(u.name, u.level, contact=u.contact, phone=u.phone)
                                for u in (roster.units if roster else ())}
    for unit in sorted(by_unit):
        files, decided = _oldest_first(by_unit[unit])
        adoptable = [o for o in files if o.brief is not None and o.status != NOT_TEMPLATE]
        winner = (adoptable or files)[-1]
        level = winner.brief.level if winner.brief else ""
        row = rows.setdefault(unit, UnitRow(unit, level, note="不在名单中" if roster else ""))
        row.outcome, row.files, row.submissions = winner, tuple(o.file for o in files), len(files)
        row.status = UNREADABLE if winner.status == NOT_TEMPLATE else winner.status
        for older in adoptable[:-1]:
            older.status = SUPERSEDED
            older.note = f"同一单位另有较新的文件：{winner.file}（依据：{decided}）"
        _times(row, files, winner)
        _changes(row, winner, adoptable, (since or {}).get(unit))
        _notes(row, winner, files, decided, year)
    return list(rows.values())


def _times(row: UnitRow, files: list[FileOutcome], winner: FileOutcome) -> None:
    times = [t for o in files if (t := evidence(o)[0]) is not None]
    row.first = min(times).isoformat(sep=" ") if times else ""
    latest = evidence(winner)[0]
    row.latest = latest.isoformat(sep=" ") if latest else ""


def _changes(row: UnitRow, winner: FileOutcome, adoptable: list[FileOutcome],
             earlier: dict | None) -> None:
    if winner.brief is None:
        return
    if earlier is not None:
        if earlier.get("file") != winner.file or earlier.get("latest") != row.latest:
            _compare(row, winner.result, earlier.get("findings", {}), bool(earlier.get("errors")))
    elif len(adoptable) > 1:
        previous = adoptable[-2].result
        _compare(row, winner.result, finding_keys(previous), bool(previous.errors))


def _notes(row: UnitRow, winner: FileOutcome, files: list[FileOutcome], decided: str,
           year: int | None) -> None:
    if winner.brief is None or winner.status == NOT_TEMPLATE:
        _note(row, f"“{winner.file}”{winner.note}")
        return
    other = next((f for f in winner.result.findings if f.code == "TEXT_OTHER_UNIT"), None)
    if other is not None:
        _note(row, other.detail)
    if len(files) > 1:
        _note(row, f"共提交 {len(files)} 份，取最新（依据：{decided or '只有一份可读'}）")
    name = stem(winner.brief.year, winner.brief.unit)
    if name != f"{winner.brief.year}_{winner.brief.unit}":
        _note(row, f"单位名称不能直接用作文件名，报告等文件名为“{name}”")
    if year is not None and winner.brief.year != year:
        _note(row, f"报送的是 {winner.brief.year} 年度的报表，退回件为 {year} 年度的模板")


__all__ = ["MISSING", "decide", "evidence", "expected_year", "named_unit"]
