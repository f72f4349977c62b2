"""The built-in sample and the demo: template → filled copy → batch, on 高凤镇's 2024 report."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .model.jsonform import loads
from .model.report import Report
from .model.unit import Settings, Unit
from .outfile import safe_name, write_atomic
from .round import batch
from .workbook import template
from .workbook.fill import fill_bytes

SAMPLE = "data/sample_gaofeng_2024.json"


def sample() -> Report:
    """井研县高凤镇人民政府's published 2024 report as a model (its figures are all zero)."""
    return loads(resources.files("nianbao").joinpath(SAMPLE).read_text(encoding="utf-8"))


def sample_unit(report: Report) -> tuple[Unit, Settings]:
    return (Unit(report.unit, report.parent, report.level),
            Settings(report.year, report.deadline, website=report.website))


def run_demo(out: Path) -> dict[str, Path]:
    report = sample()
    unit, settings = sample_unit(report)
    stem = safe_name(f"{report.year}_{report.unit}")
    blank = template.build_bytes(unit, settings)
    template_path = out / "template" / f"{stem}.xlsx"
    write_atomic(template_path, blank)
    filled_path = out / "inbox" / f"{stem}（已填）.xlsx"
    write_atomic(filled_path, fill_bytes(blank, report))
    result = batch.run(out / "inbox", out / "result", jobs=1)
    reports = [out / "result" / o.document for o in result.files if o.document]
    return {"空白模板": template_path, "已填报的工作簿": filled_path,
            "年度报告": reports[0] if reports else out / "result" / "reports",
            "汇总": out / "result" / "汇总.xlsx"}
