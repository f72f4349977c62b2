"""The way back to the units: a returned copy (退回件) for each unit that must correct
something, and a message to paste into a chat for each (通知.txt): what is wrong, what to
send again, and a 催报 line for each unit that has sent nothing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ..checks.findings import Finding
from ..model import jsonform
from ..model.unit import Settings, Unit
from ..outfile import unit_stem, write_atomic
from ..workbook import template
from ..workbook.roster import Roster
from .outcomes import FAILED, MISSING, UNREADABLE, WARNED, UnitRow, typed_path
from .results import RETURNS

SHOWN_PROBLEMS = 3

#: ((scratch report, its cache key, its digest), its findings, year, the round's contact
#: line, target path)
ReturnJob = tuple[tuple[str, str, str], tuple[Finding, ...], int, str, str]


def plan_returns(rows: list[UnitRow], stage: Path, roster: Roster | None,
                 with_warnings: bool, year: int | None = None) -> list[ReturnJob]:
    """A 退回件 for every unit whose chosen file has 错误 (and, ``with_warnings``, 提示 only),
    made from the round's template (``year``): a return of last year's template comes back as
    this year's, with what the unit typed carried over."""
    contact = roster.settings.contact if roster else ""
    jobs = []
    for row in rows:
        o = row.outcome
        if o is None or o.brief is None or o.brief.source != "workbook" or not (
                row.status == FAILED or (with_warnings and row.status == WARNED)):
            continue
        wanted = year or o.brief.year
        o.returned = f"{RETURNS}/{unit_stem(wanted, o.brief.unit)}.xlsx"
        jobs.append(((o.brief.scratch, o.key, o.brief.digest), o.result.findings, wanted,
                     contact, str(stage / o.returned)))
    return jobs


def write_return(job: ReturnJob) -> None:
    """The unit's own template, regenerated, with everything it entered and the findings."""
    (scratch, _, _), findings, year, contact, target = job
    report = jsonform.loads(Path(scratch).read_text(encoding="utf-8"))
    typed = json.loads(typed_path(scratch).read_text(encoding="utf-8"))
    settings = Settings(year, report.deadline, website=report.website, contact=contact)
    unit = Unit(report.unit, report.parent, report.level)
    write_atomic(Path(target), template.build_bytes(unit, settings, prefill=report, typed=typed,
                                                    review=findings))


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def notices(rows: list[UnitRow], roster: Roster | None, year: int | None) -> str:
    """One short message per unit to paste into a chat or an SMS; a 催报 line per unit of the
    roster that has sent nothing."""
    deadline = _date(roster.settings.effective_deadline) if roster else ""
    due = f"请于{deadline}前" if deadline else "请尽快"
    lines = []
    for row in rows:
        o = row.outcome
        if o is not None and o.returned:
            errors, warnings = o.result.errors, o.result.warnings
            problems = [f for f in o.result.findings if not f.explained]
            shown = "；".join(f"{i}. {f.message.rstrip('。')}" for i, f in
                              enumerate(problems[:SHOWN_PROBLEMS], start=1))
            more = f"（另有 {len(problems) - SHOWN_PROBLEMS} 处）" if len(problems) > SHOWN_PROBLEMS \
                else ""
            lines.append(f"【{row.unit}】{year or ''}年度政府信息公开工作年度报告：错误 {errors} 处，"
                         f"提示 {warnings} 处。{shown}{more}。详见退回件“{Path(o.returned).name}”，"
                         f"{due}修改后重新报送。")
        elif o is not None and row.status == UNREADABLE:
            problem = o.note or o.result.problem
            lines.append(f"【{row.unit}】报送的文件“{Path(o.file).name}”{problem.rstrip('。')}。"
                         f"{due}重新报送{year or ''}年度政府信息公开工作年度报告的填报模板。")
        elif row.status == MISSING and roster is not None:
            who = "，".join(x for x in (f"联系人 {row.contact}" if row.contact else "",
                                       f"电话 {row.phone}" if row.phone else "") if x)
            lines.append(f"【催报】{row.unit}{f'（{who}）' if who else ''}：尚未报送"
                         f"{year or ''}年度政府信息公开工作年度报告，{due}报送。")
    if not lines:
        lines.append(f"本轮没有需要退回或催报的单位（{year or ''}年度）。")
    return "\n".join(lines) + "\n"
