"""Rules on the report's text: sections left empty or holding placeholders, the fee statement,
and figures the narrative states that the tables contradict."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from .. import spec
from ..model.report import Report
from ..model.values import fmt_number
from .findings import Finding, make
from .registry import Context, rule

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



@rule("TEXT_EMPTY")
def text_empty(context: Context) -> list[Finding]:
    """A section of only spaces fails; the published text passes."""
    return [make("TEXT_EMPTY", "未填写", codes=(fld.code,), where=fld.label)
            for fld in spec.TEXT_FIELDS if not context.report.texts.get(fld.code, "").strip()]


@rule("TEXT_PLACEHOLDER")
def text_placeholder(context: Context) -> list[Finding]:
    """“全年公开信息XX条” fails; the published text passes."""
    findings = []
    for fld in spec.TEXT_FIELDS:
        body = context.report.texts.get(fld.code, "").strip()
        marks = [p for p in spec.PLACEHOLDERS if p in body]
        if body and marks:
            findings.append(make("TEXT_PLACEHOLDER", f"含有“{'”“'.join(marks)}”",
                                 codes=(fld.code,), where=fld.label))
    return findings


@rule("FEE_NOT_STATED")
def fee_not_stated(context: Context) -> list[Finding]:
    """国办函〔2020〕109号: 六 must say whether 信息处理费 was charged (未收取 counts)."""
    other = context.report.texts.get("TEXT_OTHER", "")
    if not other.strip() or any(w in other for w in spec.FEE_WORDS):
        return []
    return [make("FEE_NOT_STATED", "未提及信息处理费", codes=("TEXT_OTHER",),
                 where=spec.PART_OTHER)]


@rule("TEXT_FIGURE_MISMATCH")
def text_figure_mismatch(context: Context) -> list[Finding]:
    """Text says 3 applications, the table 2: flagged; the same figure passes."""
    report = context.report
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
    return findings


@rule("TEXT_NO_REQUESTS")
def text_no_requests(context: Context) -> list[Finding]:
    """Text says 未收到申请 while 本年新收 is 2: flagged; with 0, nothing."""
    new = context.report.figure("T3_NEW_TOTAL")
    body = _narrative(context.report)
    if new > 0 and any("复议" not in m.group(1) and "诉讼" not in m.group(1)
                       for m in _NONE_RECEIVED.finditer(body)):
        return [make("TEXT_NO_REQUESTS", f"正文称未收到申请，但表三本年新收为 "
                     f"{fmt_number(new)}", codes=("T3_NEW_TOTAL",), where="正文")]
    return []


