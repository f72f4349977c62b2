"""Shared fixtures: the sample report, generated templates and filled workbooks (all from data)."""

from __future__ import annotations

import dataclasses
import io
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from nianbao import spec
from nianbao.demo import sample
from nianbao.model.report import Report
from nianbao.model.unit import Settings, Unit
from nianbao.workbook import template
from nianbao.workbook.fill import fill_bytes

FIXTURES = Path(__file__).parent / "fixtures"
WEB = Path(__file__).resolve().parents[1] / ".ci" / "web"


@pytest.fixture(scope="session")
def judges() -> Path:
    """The judges the outputs are held to, pinned in .ci/web's lock file: the W3C Nu HTML
    Checker and axe-core for the web page, the Open XML SDK's validator for .docx and .xlsx.
    Installed with ``npm ci`` on first use when npm is there; without npm a fresh clone skips
    these tests with the reason, and CI (which installs everything) fails instead."""
    modules = WEB / "node_modules"
    wanted = (modules / "vnu-jar" / "build" / "dist" / "vnu.jar", modules / "axe-core" / "axe.min.js",
              modules / "@xarsh" / "ooxml-validator-linux-x64" / "ooxml-validator")
    if not all(p.exists() for p in wanted):
        import os
        import subprocess

        npm = shutil.which("npm")
        if npm is None:
            if os.environ.get("CI"):
                pytest.fail("npm is required in CI for the web page's judges (.ci/run installs it)")
            pytest.skip("needs npm to install the web page's judges (npm ci in .ci/web)")
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=WEB,
                              capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0 or not all(p.exists() for p in wanted):
            pytest.fail(f"npm ci in .ci/web failed: {done.stderr[-500:]}")
    return modules


@pytest.fixture(scope="module")
def demo_round(tmp_path_factory) -> Path:
    """The demo round folder (名单, 收件箱 with three returns, 结果) that serve opens."""
    from nianbao.demo import prepare_round

    root = tmp_path_factory.mktemp("round") / "2024年报"
    prepare_round(root)
    return root


@pytest.fixture
def round_copy(demo_round, tmp_path) -> Path:
    root = tmp_path / "轮次"
    shutil.copytree(demo_round, root)
    return root


@pytest.fixture(scope="session")
def sample_report() -> Report:
    return sample()


@pytest.fixture(scope="session")
def sample_template(sample_report: Report) -> bytes:
    unit = Unit(sample_report.unit, sample_report.parent, sample_report.level)
    return template.build_bytes(unit, Settings(sample_report.year, website=sample_report.website))


def with_figures(report: Report, **figures: int | str) -> Report:
    """The report with some input figures changed and the totals recomputed."""
    values = dict(report.figures)
    values.update({k: Decimal(str(v)) for k, v in figures.items()})
    return dataclasses.replace(report, figures=values).with_totals()


def consistent(report: Report, seed: int = 0) -> Report:
    """A fill whose every column reconciles: results and carry-over add up to new + carried."""
    import random

    rng = random.Random(seed)
    figures: dict[str, int] = {}
    for ckey, _ in spec.T3_APPLICANTS:
        handled = {r: rng.randint(0, 3) for r in spec.T3_RESULT_ROWS}
        forward = rng.randint(0, 2)
        carried = rng.randint(0, 2)
        total = sum(handled.values()) + forward
        carried = min(carried, total)
        figures.update({f"T3_{r}_{ckey}": n for r, n in handled.items()})
        figures[f"T3_CARRIED_FORWARD_{ckey}"] = forward
        figures[f"T3_CARRIED_IN_{ckey}"] = carried
        figures[f"T3_NEW_{ckey}"] = total - carried
    for fig in spec.T4.figures + spec.T2.figures:
        if not fig.computed and fig.kind == spec.COUNT and not fig.code.startswith("T2_REG"):
            figures[fig.code] = rng.randint(0, 9)
    figures["T2_FEES"] = 0
    return with_figures(report, **figures)


def make_zip(members: dict[str, bytes | str]) -> bytes:
    """A zip archive of the given members, in order (inboxes, packages, hostile samples)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return buf.getvalue()


def write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


@pytest.fixture
def filled(tmp_path: Path, sample_template: bytes):
    """Factory: a workbook filled through its defined names with a report and raw overrides."""

    def make(report: Report, name: str = "filled.xlsx", overrides: dict | None = None) -> Path:
        return write(tmp_path, name, fill_bytes(sample_template, report, overrides))

    return make


def city(report: Report) -> Report:
    """A city's scale: 表二 in six and seven digits, 表三 in hundreds and thousands with a
    seven-digit 自然人 new count (and 总计), each figure distinct."""
    figures = {code: Decimal(100_000 + i * 7919) for i, code in enumerate(spec.INPUT_CODES)}
    figures.update({f.code: Decimal(103 + 41 * i) for i, f in enumerate(spec.T3.figures)
                    if not f.computed})
    figures["T3_NEW_NATURAL"] = Decimal(8_731_267)
    figures.update({f.code: Decimal(101 + 13 * i) for i, f in enumerate(spec.T4.figures)
                    if not f.computed})  # 复议 and 诉讼 counts are small even for a city
    figures["T2_FEES"] = Decimal("96171.6")
    body = "政务公开工作持续深化，公开质量稳步提升，群众满意度不断提高。" * 6
    texts = {code: "\n".join([body] * 3) for code in spec.NARRATIVE_CODES}
    return dataclasses.replace(report, unit="淮安市人民政府", level="市级政府", title="",
                               figures=figures, texts={**report.texts, **texts}).with_totals()


def needs(program: str) -> str:
    path = shutil.which(program)
    if path is None:  # CI installs it: failing here means .ci/run is broken, not a skip
        pytest.fail(f"{program} is required for this test (installed by .ci/run)")
    return path
