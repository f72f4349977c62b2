"""Rules on the report's text checked in Python only: the fee statement, figures the narrative
states that the tables contradict, another unit's text. (Empty sections and placeholders are
declared in the spec, so the workbook checks them too.)"""

from __future__ import annotations

from decimal import Decimal

from .. import spec
from ..model.report import Report
from ..model.values import fmt_number
from . import narrative
from .findings import Finding, make
from .registry import Context, rule


@rule("FEE_NOT_STATED")
def fee_not_stated(context: Context) -> list[Finding]:
    """国办函〔2020〕109号: 六 must say whether 信息处理费 was charged (未收取 counts)."""
    other = context.report.texts.get("TEXT_OTHER", "")
    if not other.strip() or any(w in other for w in spec.FEE_WORDS):
        return []
    return [make("FEE_NOT_STATED", "未提及信息处理费", codes=("TEXT_OTHER",),
                 where=spec.PART_OTHER)]


#: What a claim is compared with: (table figure codes summed, how the message names it).
def _actual(report: Report, claim: narrative.Claim) -> tuple[Decimal, tuple[str, ...], str]:
    if claim.what in (narrative.REVIEW, narrative.SUIT):
        groups = ("REVIEW",) if claim.what == narrative.REVIEW else ("SUIT_DIRECT",
                                                                     "SUIT_AFTER_REVIEW")
        column = claim.column or "TOTAL"
        codes = tuple(f"T4_{g}_{column}" for g in groups)
        name = "行政复议" if claim.what == narrative.REVIEW else "行政诉讼"
        label = dict(spec.T4_COLUMNS)[column]
        return (sum((report.figure(c) for c in codes), Decimal(0)), codes,
                name + ("" if column == "TOTAL" else label))
    row, name = {narrative.RECEIVED: ("NEW", "收到申请"), narrative.CARRIED_IN:
                 ("CARRIED_IN", "上年结转"), narrative.CARRIED_FORWARD:
                 ("CARRIED_FORWARD", "结转下年度")}[claim.what]
    code = f"T3_{row}_TOTAL"
    return report.figure(code), (code,), name


@rule("TEXT_FIGURE_MISMATCH")
def text_figure_mismatch(context: Context) -> list[Finding]:
    """Text says 收到申请3件 and the table 2: flagged; 当面申请1件、网络申请2件 against 3
    passes, and so does 20个工作日 (not a count of applications); a table cell typed as "5件"
    is not compared (it is not 0: it is not a number)."""
    findings = []
    for claim in narrative.claims(context.narrative, context.report.year):
        actual, codes, name = _actual(context.report, claim)
        if any(c in context.values and context.values[c] is None for c in codes):
            continue  # the table's figure is not a number ("5件"): VALUE_NOT_NUMBER says so
        if Decimal(claim.value) != actual:
            findings.append(make("TEXT_FIGURE_MISMATCH", f"正文写{name} {claim.value} 件"
                                 f"（“{claim.phrase[:30]}”），表格为 {fmt_number(actual)} 件",
                                 codes=codes, where="正文"))
    return findings


@rule("TEXT_NO_REQUESTS")
def text_no_requests(context: Context) -> list[Finding]:
    """Text says 未收到申请 while 本年新收 is 2: flagged; 无逾期未受理申请 is not such a text."""
    new = context.report.figure("T3_NEW_TOTAL")
    said = narrative.says_none_received(context.narrative) if new > 0 else None
    if said is None:
        return []
    return [make("TEXT_NO_REQUESTS", f"正文称“{said[:30]}”，但表三本年新收为 {fmt_number(new)}",
                 codes=("T3_NEW_TOTAL",), where="正文")]


#: Endings that make a short name distinctive enough to look for (千佛镇, 研城街道).
_PLACE_ENDINGS = ("乡", "镇", "街道")
_ORGAN_SUFFIXES = ("人民政府", "办事处")


def aliases(name: str, parent: str) -> set[str]:
    """How a text names a unit: its full name, and for a 乡镇 or 街道 its short name (井研县
    千佛镇人民政府 → 千佛镇). A department's short name (财政局) names many units: not used."""
    found = {name} if name else set()
    short = name[len(parent):] if parent and name.startswith(parent) else name
    for suffix in _ORGAN_SUFFIXES:
        if short.endswith(suffix):
            short = short[:-len(suffix)]
    if len(short) >= 3 and short.endswith(_PLACE_ENDINGS):
        found.add(short)
    return found


@rule("TEXT_OTHER_UNIT")
def text_other_unit(context: Context) -> list[Finding]:
    """千佛镇's text typed into 高凤镇's template: the narrative names 千佛镇 (another unit of the
    roster) and never 高凤镇. A text that names its own unit, or no unit, passes."""
    report = context.report
    texts = {code: report.texts.get(code, "") for code in spec.NARRATIVE_CODES}
    body = "\n".join(texts.values())
    if not context.units or any(a in body for a in aliases(report.unit, report.parent)):
        return []
    others = [(name, alias) for name, parent in context.units if name != report.unit
              for alias in sorted(aliases(name, parent), key=len, reverse=True) if alias in body]
    if not others:
        return []
    name, alias = others[0]
    codes = tuple(code for code, text in texts.items() if alias in text)
    return [make("TEXT_OTHER_UNIT", f"正文提到“{alias}”（名单中的{name}），没有提到本单位"
                 f"{report.unit}，可能填写了别的单位的模板", codes=codes, where="正文")]
