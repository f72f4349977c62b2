"""Run every declared rule over a report model; findings are data, never exceptions."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal

from . import spec
from .campaign import Settings
from .expr import Unknown, Values, fmt_number
from .findings import Finding, make
from .report import Report


def values_of(report: Report, unreadable: Iterable[str] = ()) -> Values:
    values: dict[str, Decimal | None] = dict(report.figures)
    values.update(dict.fromkeys(unreadable))
    return values


def arithmetic(report: Report, unreadable: Iterable[str] = ()) -> list[Finding]:
    """Every instance of every arithmetic rule (the same declarations the template's formulas use)."""
    values = values_of(report, unreadable)
    findings = []
    for check in spec.CHECKS:
        try:
            if check.condition.holds(values):
                continue
            detail = check.condition.describe(values)
            failing = check.condition.failing(values)
        except Unknown:
            continue  # a cell it needs could not be read: already reported as VALUE_NOT_NUMBER
        findings.append(make(check.rule_code, detail, table=check.table.name, row=check.row,
                             column=check.column, codes=failing, where=check.prefix))
    return findings


def domain(report: Report) -> list[Finding]:
    findings = []
    regulation = [c for c in ("T2_REG_ISSUED", "T2_REG_REPEALED", "T2_REG_INFORCE")
                  if report.figure(c) != 0]
    policy = spec.REGULATION_POLICY.get(report.level)
    if regulation and policy:
        code = "REGULATION_NOT_ALLOWED" if policy == spec.ERROR else "REGULATION_UNUSUAL"
        shown = "、".join(f"{spec.FIGURES[c].col_name} {fmt_number(report.figure(c))}"
                         for c in regulation)
        row = spec.FIGURES[regulation[0]].row_name
        findings.append(make(code, f"层级为{report.level}，但填报了{row} {shown}", table=spec.T2.name,
                             row=row, codes=regulation))
    limit = spec.FEE_PLAUSIBLE_MAX.get(report.level, spec.FEE_PLAUSIBLE_MAX["其他"])
    fees = report.figure("T2_FEES")
    if fees > limit:
        findings.append(make("FEE_IMPLAUSIBLE", f"收费金额 {fmt_number(fees)} 万元，超过{report.level}"
                             f"通常水平（{limit} 万元）", table=spec.T2.name,
                             row=spec.FIGURES["T2_FEES"].row_name, codes=("T2_FEES",)))
    return findings


_RECEIVED = re.compile(r"(?:新收|收到|受理|接到)([^。；;，,\d]{0,24}?)申请[^。；;，,\d]{0,8}?(\d+)\s*[件个条]")
_CARRIED_IN = re.compile(r"上年(?:度)?结转[^。；;\d]{0,16}?(\d+)\s*[件个条]")
_CARRIED_FORWARD = re.compile(r"结转(?:至)?下(?:一)?年度[^。；;\d]{0,12}?(\d+)\s*[件个条]")
_REVIEW = re.compile(r"行政复议[^。；;\d]{0,10}?(\d+)\s*[件起宗个]")
_SUIT = re.compile(r"行政诉讼[^。；;\d]{0,10}?(\d+)\s*[件起宗个]")
_NONE_RECEIVED = re.compile(r"(?:未|没有)(?:收到|接到|受理)([^。；;]{0,24}?)申请")


def _narrative(report: Report) -> str:
    return unicodedata.normalize("NFKC", "\n".join(report.texts.get(c, "")
                                                   for c in spec.NARRATIVE_CODES))


def _stated(pattern: re.Pattern[str], text: str, skip_review: bool = False) -> list[int]:
    found = []
    for match in pattern.finditer(text):
        if skip_review and ("复议" in match.group(1) or "诉讼" in match.group(1)):
            continue
        found.append(int(match.group(match.lastindex or 1)))
    return found


def text(report: Report) -> list[Finding]:
    findings = []
    for fld in spec.TEXT_FIELDS:
        body = report.texts.get(fld.code, "").strip()
        where = {"codes": (fld.code,), "where": fld.label}
        if not body:
            findings.append(make("TEXT_EMPTY", "未填写", **where))  # type: ignore[arg-type]
            continue
        marks = [p for p in spec.PLACEHOLDERS if p in body]
        if marks:
            findings.append(make("TEXT_PLACEHOLDER", f"含有“{'”“'.join(marks)}”",
                                 **where))  # type: ignore[arg-type]
    other = report.texts.get("TEXT_OTHER", "")
    if other.strip() and not any(w in other for w in spec.FEE_WORDS):
        findings.append(make("FEE_NOT_STATED", "未提及信息处理费", codes=("TEXT_OTHER",),
                             where=spec.PART_OTHER))
    findings.extend(_narrative_figures(report))
    return findings


def _narrative_figures(report: Report) -> list[Finding]:
    body = _narrative(report)
    suits = report.figure("T4_SUIT_DIRECT_TOTAL") + report.figure("T4_SUIT_AFTER_REVIEW_TOTAL")
    claims = (
        ("收到申请", _stated(_RECEIVED, body, skip_review=True), report.figure("T3_NEW_TOTAL"),
         "T3_NEW_TOTAL"),
        ("上年结转", _stated(_CARRIED_IN, body), report.figure("T3_CARRIED_IN_TOTAL"),
         "T3_CARRIED_IN_TOTAL"),
        ("结转下年度", _stated(_CARRIED_FORWARD, body), report.figure("T3_CARRIED_FORWARD_TOTAL"),
         "T3_CARRIED_FORWARD_TOTAL"),
        ("行政复议", _stated(_REVIEW, body), report.figure("T4_REVIEW_TOTAL"), "T4_REVIEW_TOTAL"),
        ("行政诉讼", _stated(_SUIT, body), suits, "T4_SUIT_DIRECT_TOTAL"),
    )
    findings = []
    for what, stated, actual, code in claims:
        wrong = [n for n in stated if Decimal(n) != actual]
        if wrong:
            findings.append(make("TEXT_FIGURE_MISMATCH", f"正文写{what} {wrong[0]} 件，表格为 "
                                 f"{fmt_number(actual)} 件", codes=(code,), where="正文"))
    new = report.figure("T3_NEW_TOTAL")
    if new > 0 and any("复议" not in m.group(1) and "诉讼" not in m.group(1)
                       for m in _NONE_RECEIVED.finditer(body)):
        findings.append(make("TEXT_NO_REQUESTS", f"正文称未收到申请，但表三本年新收为 "
                             f"{fmt_number(new)}", codes=("T3_NEW_TOTAL",), where="正文"))
    return findings


def dates(report: Report) -> list[Finding]:
    if report.date is None:
        return []
    deadline = Settings(report.year, report.deadline).effective_deadline
    if report.date.year != report.year + 1 or report.date > deadline:
        return [make("DATE_OUT_OF_RANGE", f"成文日期为 {report.date.isoformat()}（报告年度 "
                     f"{report.year}，截止日期 {deadline.isoformat()}）", codes=("META_DATE",))]
    return []


def missing_date(report: Report, unreadable_date: bool) -> list[Finding]:
    if report.date is None and not unreadable_date:
        return [make("DATE_MISSING", "未填写成文日期", codes=("META_DATE",))]
    return []


def cross_year(report: Report, previous: Report) -> list[Finding]:
    findings = []
    if previous.unit != report.unit or previous.year != report.year - 1:
        findings.append(make("PREVIOUS_UNIT", f"上年度数据为 {previous.unit} {previous.year} 年，"
                             f"本报告为 {report.unit} {report.year} 年", where="跨年度"))
    for ckey, cname in spec.T3_COLUMNS:
        now, before = f"T3_CARRIED_IN_{ckey}", f"T3_CARRIED_FORWARD_{ckey}"
        if report.figure(now) != previous.figure(before):
            findings.append(make(
                "PREVIOUS_CARRIED", f"上年结转 {fmt_number(report.figure(now))}，上年度报告结转下年度 "
                f"{fmt_number(previous.figure(before))}", table="表三",
                row=spec.FIGURES[now].row_name, column=cname, codes=(now,)))
    for key in ("REG", "NORM"):
        inforce = spec.FIGURES[f"T2_{key}_INFORCE"]
        expected = (previous.figure(f"T2_{key}_INFORCE") + report.figure(f"T2_{key}_ISSUED")
                    - report.figure(f"T2_{key}_REPEALED"))
        actual = report.figure(f"T2_{key}_INFORCE")
        if actual != expected:
            findings.append(make(
                "PREVIOUS_INFORCE", f"上年现行有效 {fmt_number(previous.figure(f'T2_{key}_INFORCE'))}"
                f" + 本年制发 {fmt_number(report.figure(f'T2_{key}_ISSUED'))} − 本年废止 "
                f"{fmt_number(report.figure(f'T2_{key}_REPEALED'))} = {fmt_number(expected)}，"
                f"但现行有效为 {fmt_number(actual)}", table="表二", row=inforce.row_name,
                column=inforce.col_name, codes=(inforce.code,)))
    return findings


def check_report(report: Report, *, unreadable: Iterable[str] = (),
                 previous: Report | None = None, unreadable_date: bool = False) -> list[Finding]:
    """All rules over one report model (the reading's own findings are added by the caller)."""
    findings = arithmetic(report, unreadable)
    findings += domain(report)
    findings += text(report)
    findings += missing_date(report, unreadable_date) + dates(report)
    if previous is not None:
        findings += cross_year(report, previous)
    return findings
