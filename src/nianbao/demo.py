"""The built-in sample and the demo: template → filled copy → batch, on 高凤镇's 2024 report."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .model.jsonform import loads
from .model.report import Report
from .model.unit import Settings, Unit
from .outfile import unit_stem, write_atomic
from .round import batch
from .round.results import REPORTS, SUMMARY
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
    stem = unit_stem(report.year, report.unit)
    blank = template.build_bytes(unit, settings)
    template_path = out / "template" / f"{stem}.xlsx"
    write_atomic(template_path, blank)
    filled_path = out / "inbox" / f"{stem}（已填）.xlsx"
    write_atomic(filled_path, fill_bytes(blank, report))
    result = batch.run(out / "inbox", out / "result", jobs=1)
    reports = [out / "result" / o.document for o in result.files if o.document]

    return {"空白模板": template_path, "已填报的工作簿": filled_path,
            "年度报告": reports[0] if reports else out / "result" / REPORTS,
            "汇总": out / "result" / SUMMARY}


#: The demo round: 高凤镇 passes, 马踏镇 has an error, 千佛镇 sent a broken file, 研城街道 has
#: not sent anything yet.
ROUND_UNITS = (("井研县高凤镇人民政府", "乡镇"), ("井研县马踏镇人民政府", "乡镇"),
               ("井研县千佛镇人民政府", "乡镇"), ("井研县研城街道办事处", "街道"))


def prepare_round(root: Path) -> None:
    """A round folder for ``nianbao serve``: 名单.xlsx, 收件箱/ with three returns, 结果/."""
    import dataclasses

    from .outputs.formats import SERVED
    from .serve.folder import INBOX, RESULTS, ROSTER
    from .workbook.roster import read_roster, roster_template_bytes

    report = sample()
    _, settings = sample_unit(report)
    root.mkdir(parents=True, exist_ok=True)
    units = tuple(Unit(name, "井研县", level, f"联系人{r - 1}", f"0833-550000{r}")
                  for r, (name, level) in enumerate(ROUND_UNITS, start=2))
    write_atomic(root / ROSTER, roster_template_bytes(report.year, website=settings.website,
                                                      units=units))
    roster = read_roster(root / ROSTER)
    inbox = root / INBOX
    for unit in roster.units[:2]:
        blank = template.build_bytes(unit, roster.settings)
        filled = dataclasses.replace(report, unit=unit.name, title="", texts={
            k: v.replace("高凤镇", unit.name.removeprefix("井研县").removesuffix("人民政府"))
            for k, v in report.texts.items()})
        overrides: dict[str, object] | None = ({"T2_REG_INFORCE": 2} if unit is roster.units[1]
                                              else None)
        write_atomic(inbox / f"{unit.name.removeprefix('井研县')}.xlsx",
                     fill_bytes(blank, filled, overrides))
    write_atomic(inbox / "千佛镇（损坏）.xlsx", b"PK\x03\x04 not a workbook")
    batch.run(inbox, root / RESULTS, roster=roster, jobs=1, formats=SERVED)
