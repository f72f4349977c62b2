"""A published report's rows → the report model, every figure with the place it was printed.

The work is split by concern: :mod:`.locate` finds the parts, the title and the text,
:mod:`.tables` reads each table by its printed row labels, :mod:`.printed` holds the rules that
apply to a printed report. Figures are kept exactly as printed: a blank cell stays blank, a
printed total stays what was printed, and a total that is not the sum of its parts is reported
where it was printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .. import spec
from ..checks.findings import Finding
from ..errors import problem
from ..model.report import Report, default_title
from . import locate, printed, tables
from .document import Document, Row, compact
from .tables import Printed

# What other modules and the tests reach through this module
infer_level = locate.infer_level


@dataclass
class Parsed:
    """What a published report gave: the report, the place of every figure, the findings its
    printing itself breaks, and what was noticed on the way."""

    report: Report
    places: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    level_inferred: bool = False


@dataclass
class _Tables:
    """The three tables as printed, and what their printing says."""

    printed: dict[str, Printed]
    findings: list[Finding]
    outdated: list[str]  # how the 2019 form shows, if it does
    outdated_codes: list[str]


def _read_tables(rows: Sequence[Row], parts: dict[str, int]) -> _Tables:
    findings: list[Finding] = []
    t2_segs = tables.segments(locate.region(rows, parts, "二", ("三", "四", "五", "六")))
    old_t2 = any(w in compact("".join(s.label for s in t2_segs)) for w in spec.T2_2019_HEADERS)
    t2 = tables.TableReader(tables.T2_2019_ROWS if old_t2 else tables.T2_ROWS)
    t2.feed(t2_segs)
    figures = t2.figures()
    findings += printed.unsure_findings(spec.T2.name, t2.unsure)

    t3_segs = tables.segments(locate.region(rows, parts, "三", ("四", "五", "六")))
    t3 = tables.TableReader(tables.T3_ROWS)
    t3.feed(t3_segs)
    figures.update(t3.figures(tables.column_centres(t3_segs, len(spec.T3_COLUMNS))))
    findings += printed.unsure_findings(spec.T3.name, t3.unsure)

    t4, t4_unsure = tables.read_t4(tables.segments(locate.region(rows, parts, "四", ("五", "六"))))
    figures.update(t4)
    findings += printed.unsure_findings(spec.T4.name, t4_unsure)

    outdated: list[str] = []
    codes: list[str] = []
    if old_t2:
        outdated.append("表二是 2019 年试行格式（本年新制作/新公开数量、上一年项目数量等），"
                        "只读取了能对应的处理决定数量")
        codes += [c for c in ("T2_LICENSE", "T2_PENALTY", "T2_COERCION")
                  if c in figures and figures[c].value is not None]
    found = t3.found
    if ("MISC_3" in found and "MISC_1" not in found and "MISC_2" not in found
            and "其他处理" in found["MISC_3"][2]):
        group = spec.FIGURES["T3_MISC_3_NATURAL"].row_name.split()[0]
        outdated.append(f"表三“{group}”只印了一行（2019 年试行格式），已计入“3.其他”")
        codes += [c for c in found["MISC_3"][0].codes if c]
    return _Tables(figures, findings, outdated, codes[:1])


def _texts(rows: Sequence[Row], parts: dict[str, int], title_at: int, first: int, unit: str,
           year: int) -> tuple[dict[str, str], object, str]:
    """The eight texts, the date and the website the report printed."""
    preamble_rows = rows[title_at + 1:first] if title_at >= 0 else rows[:first]
    texts: dict[str, str] = {"TEXT_PREAMBLE": "\n".join(
        p for p in locate.paragraphs(preamble_rows) if not locate.is_title(p))}
    part_one = locate.split_part_one(locate.paragraphs(
        locate.region(rows, parts, "一", ("二", "三", "四", "五", "六"))))
    texts.update({code: "\n".join(ps) for code, ps in part_one.items()})
    problems = locate.paragraphs(locate.region(rows, parts, "五", ("六",)))
    other = locate.paragraphs(locate.region(rows, parts, "六", ()))
    last_is_other = "六" in parts
    kept, date, website = locate.trim_end(other if last_is_other else problems, unit, year)
    if last_is_other:
        other = kept
    else:
        problems = kept
    texts["TEXT_PROBLEMS"] = "\n".join(problems)
    texts["TEXT_OTHER"] = "\n".join(other)
    return texts, date, website


def parse(doc: Document, *, unit: str = "", year: int | None = None,
          level: str = "") -> Parsed:
    rows = doc.rows
    parts = locate.part_starts(rows)
    first = parts.get("一", parts.get("二", len(rows)))
    found_unit, found_year, title_at, printed_title = locate.find_title(doc, rows, first)
    unit = unit or found_unit
    year = year or found_year
    if not any(p in parts for p in ("二", "三", "四")):
        raise problem("NOT_A_REPORT")
    read = _read_tables(rows, parts)
    if not read.printed or all(p.value is None for p in read.printed.values()):
        if _pictures(doc, rows, parts):
            raise problem("TABLE_AS_IMAGE")
        raise problem("NO_FIGURES")
    if year is None:
        raise problem("YEAR_UNKNOWN")
    if not unit:
        raise problem("UNIT_UNKNOWN")

    figures = {code: p.value for code, p in read.printed.items() if p.value is not None}
    findings = list(read.findings)
    findings += printed.outdated_findings(read.outdated, read.outdated_codes, year)
    findings += printed.blank_findings(read.printed)
    findings += printed.total_findings(figures, read.printed)

    texts, date, website = _texts(rows, parts, title_at, first, unit, year)
    inferred = locate.infer_level(unit, "\n".join(r.text for r in rows if not r.table))
    report = Report(
        unit=unit, year=year, level=level or inferred or "其他", date=date,  # type: ignore[arg-type]
        title=printed_title if printed_title != default_title(unit, year) else "", texts=texts,
        figures=figures, website=website,
        format=spec.FORMAT_2019_ID if read.outdated else spec.FORMAT_ID)
    places = {code: p.where for code, p in read.printed.items() if p.where}
    return Parsed(report, places, findings, level_inferred=not level and inferred is not None)


def _pictures(doc: Document, rows: Sequence[Row], parts: dict[str, int]) -> bool:
    """Whether the tables' part of the report holds pictures (tables pasted as images)."""
    begin = min(parts.get(p, len(rows)) for p in ("二", "三", "四"))
    end = min((parts[p] for p in ("五", "六") if p in parts and parts[p] > begin),
              default=len(rows))
    inside = rows[begin:end]
    if any(r.image for r in inside):
        return True
    if doc.kind == "pdf" and inside:
        last = rows[end].page if end < len(rows) else inside[-1].page
        return any(p in doc.image_pages for p in range(inside[0].page, last + 1))
    return False
