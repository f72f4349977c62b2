"""The way back to the units: a returned copy (退回件) for each unit that must correct
something, a message to paste into a chat for each (通知.txt), and the round's state
(round.json) that the next run compares with (``--since``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ..checks.findings import Finding
from ..model import jsonform
from ..model.unit import Settings, Unit
from ..outfile import unit_stem, write_atomic, write_text_atomic
from ..workbook import template
from ..workbook.roster import Roster
from .outcomes import CORRECTED, FAILED, MISSING, WARNED, UnitRow, typed_path

RETURNS = "退回"
NOTICE = "通知.txt"
STATE = "round.json"
SHOWN_PROBLEMS = 3

#: (scratch report, its findings, year, the round's contact line, target path)
ReturnJob = tuple[str, tuple[Finding, ...], int, str, str]


def plan_returns(rows: list[UnitRow], stage: Path, roster: Roster | None,
                 with_warnings: bool) -> list[ReturnJob]:
    """A 退回件 for every unit whose chosen file has 错误 (and, ``with_warnings``, 提示 only)."""
    contact = roster.settings.contact if roster else ""
    jobs = []
    for row in rows:
        o = row.outcome
        if o is None or o.brief is None or not (
                row.status == FAILED or (with_warnings and row.status == WARNED)):
            continue
        name = f"{unit_stem(o.brief.year, o.brief.unit)}.xlsx"
        o.returned = f"{RETURNS}/{name}"
        jobs.append((o.brief.scratch, o.result.findings, o.brief.year, contact,
                     str(stage / o.returned)))
    return jobs


def write_return(job: ReturnJob) -> None:
    """The unit's own template, regenerated, with everything it entered and the findings."""
    scratch, findings, year, contact, target = job
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
        elif row.status == MISSING and roster is not None:
            who = "，".join(x for x in (f"联系人 {row.contact}" if row.contact else "",
                                       f"电话 {row.phone}" if row.phone else "") if x)
            lines.append(f"【催报】{row.unit}{f'（{who}）' if who else ''}：尚未报送"
                         f"{year or ''}年度政府信息公开工作年度报告，{due}报送。")
    return "\n".join(lines) + ("\n" if lines else "")


def state(rows: list[UnitRow]) -> dict[str, dict]:
    """What the county saw of each unit this run, for the next run's ``--since``."""
    from .batch import finding_keys

    units = {}
    for row in rows:
        o = row.outcome
        units[row.unit] = {
            "status": row.status, "file": o.file if o else "", "latest": row.latest,
            "submissions": row.submissions, "errors": o.result.errors if o else 0,
            "warnings": o.result.warnings if o else 0,
            "findings": finding_keys(o.result) if o else {}, "corrected": row.status == CORRECTED,
        }
    return units


def write_state(path: Path, rows: list[UnitRow]) -> None:
    write_text_atomic(path, json.dumps({"schema": "nianbao.round/1", "units": state(rows)},
                                       ensure_ascii=False, indent=1) + "\n")


def load_since(out: Path | None) -> dict[str, dict] | None:
    """Each unit's state as an earlier run left it in its OUT folder (round.json)."""
    if out is None:
        return None
    try:
        data = json.loads((Path(out) / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        from ..errors import FileProblem

        raise FileProblem("UNREADABLE", f"{out} 中没有可用的 {STATE}（上一次 batch 的输出文件夹）"
                          ) from exc
    units = data.get("units") if isinstance(data, dict) else None
    return units if isinstance(units, dict) else {}
