"""Source: a returned workbook (the unit's filled template) → report model, findings, cells."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import spec
from ..checks.findings import Finding, make
from ..errors import problem
from ..model.report import Report, compute_totals
from ..model.unit import Settings, Unit
from ..model.values import (
    BLANK,
    NORMALISED,
    NOT_NUMBER,
    OK,
    UNREADABLE,
    fmt_number,
    parse_date,
    parse_number,
)
from ..workbook import alterations, contract, layout, reader
from ..workbook.fingerprint import digest, normalise
from ..workbook.reader import RawCell, Workbook
from .base import Reading


def value_findings(code: str, raw: Any, status: str, shown: str | None = None) -> list[Finding]:
    """VALUE_NORMALISED, VALUE_BLANK or VALUE_NOT_NUMBER for one number cell, or nothing;
    ``shown`` is the cell as the office program shows it (``#VALUE!``, ``TRUE``)."""
    shown = str(raw) if shown is None else shown
    fig = spec.FIGURES[code]
    table = spec.FIGURE_TABLE[code].name
    where = {"table": table, "row": fig.row_name, "column": fig.col_name, "codes": (code,)}
    value = parse_number(raw)[0]
    if status == NORMALISED and value is not None:
        return [make("VALUE_NORMALISED", f"“{shown}”已按 {fmt_number(value)} 读取",
                     **where)]  # type: ignore[arg-type]
    if status == BLANK:
        return [make("VALUE_BLANK", "未填写", **where)]  # type: ignore[arg-type]
    if status == NOT_NUMBER:
        return [make("VALUE_NOT_NUMBER", f"填写的“{shown}”不是数字", **where)]  # type: ignore[arg-type]
    return []


# ---------------------------------------------------------------- workbook


def _raw(wb: Workbook, code: str) -> RawCell | None:
    dest = wb.names.get(code)
    if dest is None:
        return None
    return wb.cell(*dest)


def _text(cell: RawCell | None) -> str:
    return "" if cell is None else cell.text


def metadata(wb: Workbook) -> dict[str, str]:
    """Template metadata from the custom properties, or the hidden ``_meta`` sheet."""
    props = {k[len(contract.PROP_PREFIX):]: v for k, v in wb.properties.items()
             if k.startswith(contract.PROP_PREFIX)}
    if "format" in props:
        return props
    sheet = wb.cells.get(layout.META, {})
    meta = {}
    for row in range(1, 64):
        key, value = sheet.get(f"A{row}"), sheet.get(f"B{row}")
        if key is None:
            break
        meta[_text(key)] = _text(value)
    return meta


def locked_entries(wb: Workbook) -> list[tuple[str, str, object]]:
    """Every non-empty cell of the template's own sheets that is not an input: the content the
    fingerprint covers (a sheet the clerk added for notes is not part of it)."""
    inputs = {wb.names[n] for n in layout.INPUT_NAMES if n in wb.names}
    entries: list[tuple[str, str, object]] = []
    for sheet, cells in wb.cells.items():
        if sheet not in layout.READ_SHEETS:
            continue
        for a1, cell in cells.items():
            if (sheet, a1) in inputs:
                continue
            content = cell.formula if cell.formula is not None else cell.value
            if content is None:
                continue
            entries.append((sheet, a1, content))
    return entries


#: The identity values a template writes as locked labels, by their metadata key.
IDENTITY_LABELS = {"unit": "META_UNIT", "parent": "META_PARENT", "level": "META_LEVEL"}


def _fingerprints(entries: list[tuple[str, str, object]], meta: dict[str, str]) -> set[str]:
    """The fingerprints this locked content may carry: today's, and the one templates made
    before 0.1.1 stored, which counted a blank identity label (上级 left empty) as ''."""
    today = digest(entries)
    blank = [layout.address_of(code) for key, code in IDENTITY_LABELS.items()
             if not meta.get(key, "").strip()]
    if not blank:
        return {today}
    present = [e for e in entries if normalise(e[2])]
    legacy = present + [(cell.sheet, cell.a1, "") for cell in blank]
    return {today, digest(legacy, keep_empty=True)}


def _alterations(wb: Workbook, meta: dict[str, str], settings: Settings) -> str:
    """Say what the clerk changed, when this version of nianbao can regenerate the template."""
    if meta.get("template_version") != contract.TEMPLATE_VERSION:
        return ""
    unit = Unit(meta.get("unit", ""), meta.get("parent", ""), meta.get("level", ""))
    from ..workbook import template  # the writer, only for a template that was altered

    present = {name for name, _ in wb.sheets}
    removed = [f"删除了工作表“{name}”" for name in layout.READ_SHEETS if name not in present]
    changed = alterations.describe(template.locked_content(unit, settings), locked_entries(wb),
                                   [name for name in layout.READ_SHEETS if name in present])
    return "、".join([*removed, *([changed] if changed else [])])


def _extra_sheets(wb: Workbook) -> list[Finding]:
    """A sheet the clerk added (for notes) is read by nobody: say so, it is not an alteration."""
    known = {*layout.SHEETS, layout.META, layout.REVIEW}
    extra = [name for name, _ in wb.sheets if name not in known]
    if not extra:
        return []
    names = "”“".join(extra)
    return [make("EXTRA_SHEET", f"工作簿中另有工作表“{names}”，县里不读取其中的内容", where="")]


def _settings(meta: dict[str, str], year: int) -> Settings:
    deadline = None
    try:
        deadline = dt.date.fromisoformat(meta.get("deadline", ""))
    except ValueError:
        pass
    return Settings(year, deadline, website=meta.get("website", ""), contact=meta.get("contact", ""))


def _identity(wb: Workbook, meta: dict[str, str], year: int, settings: Settings) -> list[Finding]:
    findings = []
    missing = [label for key, label in (("unit", "单位"), ("level", "层级")) if not meta.get(key)]
    if not year:
        missing.append("年度")
    if meta.get("level") and meta["level"] not in spec.LEVELS:
        missing.append(f"层级“{meta['level']}”无效")
    if missing:
        findings.append(make("META_MISSING", "、".join(missing) + " 缺失", where=""))
    version = meta.get("template_version", "")
    if version.isdigit() and int(version) < int(contract.TEMPLATE_VERSION):
        findings.append(make("TEMPLATE_OUTDATED",
                             f"模板版本 {version}，当前版本 {contract.TEMPLATE_VERSION}", where=""))
    if meta.get("fingerprint") not in _fingerprints(locked_entries(wb), meta):
        changed = _alterations(wb, meta, settings)
        detail = f"锁定内容与下发模板不一致：{changed}" if changed else "锁定的标签或公式与下发模板不一致"
        findings.append(make("TEMPLATE_ALTERED", detail, where=""))
    return findings + _extra_sheets(wb)


def _cached(wb: Workbook, totals: dict[str, Decimal]) -> list[Finding]:
    """A total the file stored that differs from the one recomputed from the inputs."""
    findings = []
    for code, value in totals.items():
        cell = _raw(wb, code)
        if cell is None or cell.value is None or cell.error:
            continue
        cached, status = parse_number(cell.value)
        if status == OK and cached != value:
            fig = spec.FIGURES[code]
            findings.append(make(
                "CACHED_MISMATCH", f"文件中保存的结果为 {fmt_number(cached)}，按填报数字重新计算为 "  # type: ignore[arg-type]
                f"{fmt_number(value)}", table=spec.FIGURE_TABLE[code].name, row=fig.row_name,
                column=fig.col_name, codes=(code,)))
    return findings


def _input_formulas(wb: Workbook) -> list[Finding]:
    """A formula typed into an input cell is never evaluated: its cached result is what counts."""
    findings = []
    for code in sorted(layout.INPUT_NAMES):
        cell = _raw(wb, code)
        if cell is not None and cell.formula:
            shown = "无计算结果，按空白处理" if cell.value is None else f"按其计算结果“{_text(cell)}”读取"
            findings.append(make("INPUT_FORMULA", f"填报单元格中是公式 {cell.formula[:40]}，{shown}",
                                 codes=(code,)))
    return findings


def _check_identity(wb: Workbook) -> dict[str, str]:
    """The metadata of a nianbao workbook this version can read, or a FileProblem."""
    meta = metadata(wb)
    if not meta.get("format") and not any(code in wb.names for code in spec.INPUT_CODES):
        raise problem("NOT_NIANBAO")
    if meta.get("format") != spec.FORMAT_ID:
        raise problem("FORMAT_UNKNOWN", meta.get("format", "无格式标识"))
    version = meta.get("template_version", "")
    if version.isdigit() and int(version) > int(contract.TEMPLATE_VERSION):
        raise problem("FORMAT_UNKNOWN", f"模板版本 {version}")
    return meta


def _figures(wb: Workbook, findings: list[Finding], typed: dict[str, object]
             ) -> tuple[dict[str, Decimal], set[str]]:
    """Every input figure by its defined name, normalised; codes that could not be read.
    ``typed`` receives what the clerk typed wherever it is not a plain number (blank, text,
    an error value), so that a returned copy carries it over unchanged."""
    figures: dict[str, Decimal] = {}
    unreadable = {code for code in spec.INPUT_CODES if code not in wb.names}
    if unreadable:
        findings.append(make("TEMPLATE_ALTERED", f"缺少 {len(unreadable)} 个数字单元格的名称，"
                             f"如 {min(unreadable)}", where=""))
    for code in spec.INPUT_CODES:
        if code in unreadable:
            continue
        cell = _raw(wb, code)
        raw = None if cell is None else cell.value
        value, status = parse_number(raw)
        if cell is not None and cell.error:
            value, status = None, NOT_NUMBER
        findings.extend(value_findings(code, raw, status, cell.display if cell else ""))
        if status != OK:
            typed[code] = cell.display if cell is not None and cell.error else raw
        if status == NOT_NUMBER:
            unreadable.add(code)
        elif value is not None:
            figures[code] = value
    return figures, unreadable


def locate(code: str) -> str | None:
    """A contract code → its cell as users see it (``表三!D6``)."""
    cell = layout.CELLS.get(code)
    return cell.ref if cell else None


def read_workbook(path: Path) -> Reading:
    wb = reader.read(path, skip=layout.UNREAD_SHEETS)
    meta = _check_identity(wb)
    year = int(meta["year"]) if meta.get("year", "").isdigit() else 0
    settings = _settings(meta, year)
    findings = _identity(wb, meta, year, settings)
    typed: dict[str, object] = {}
    figures, unreadable = _figures(wb, findings, typed)
    totals = compute_totals(figures, unreadable)
    findings.extend(_cached(wb, totals))
    findings.extend(_input_formulas(wb))
    date_raw = _raw(wb, "META_DATE")
    date, status = parse_date(None if date_raw is None else date_raw.value, wb.date1904)
    if status == UNREADABLE:
        findings.append(make("DATE_UNREADABLE", f"“{_text(date_raw)}”无法识别为日期",
                             codes=("META_DATE",)))
        typed["META_DATE"] = _text(date_raw)
    report = Report(
        unit=meta.get("unit", ""), parent=meta.get("parent", ""),
        level=meta.get("level", "其他"), year=year, date=date,
        title=_text(_raw(wb, "META_TITLE")),
        texts={f.code: _text(_raw(wb, f.code)) for f in spec.TEXT_FIELDS},
        figures={**figures, **totals}, website=settings.website,
        deadline=settings.effective_deadline,
        notes={rule: text for rule, code in zip(spec.EXPLAINABLE, spec.NOTE_CODES, strict=True)
               if (text := _text(_raw(wb, code)))},
    )
    return Reading(report, tuple(findings), frozenset(unreadable), status == UNREADABLE,
                   wb.modified, locate, WorkbookSource.name, typed)


class WorkbookSource:
    name = "workbook"
    emits = frozenset({
        "META_MISSING", "TEMPLATE_OUTDATED", "TEMPLATE_ALTERED", "CACHED_MISMATCH",
        "VALUE_NORMALISED", "VALUE_NOT_NUMBER", "VALUE_BLANK", "INPUT_FORMULA", "DATE_UNREADABLE",
        "EXTRA_SHEET"})

    def claims(self, head: bytes, path: Path) -> bool:
        return head.startswith((*reader.ZIP_MAGIC, reader.OLE_MAGIC))

    def read(self, path: Path) -> Reading:
        return read_workbook(path)


SOURCE = WorkbookSource()
