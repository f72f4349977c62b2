"""The workbook's own verdict equals validate's, on 200 random fills recalculated by LibreOffice.

Each fill varies figures (consistent, broken, negative, fractional, a fee with 7 decimals),
numbers typed as text (" 1,234 ", "１２") and not numbers ("5件"), blank cells, texts (empty,
invisible, placeholders, ordinary wording that looks like one), the level and 规章 entries.
After LibreOffice recalculates and saves each one: CHECK_STATUS is 不通过 exactly when
validate reports an error the workbook can know, and every cell of such an error is
highlighted — read back from the saved file's conditional formats, each of which reads one
panel line's result, evaluated on the recalculated values.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from conftest import consistent, needs
from nianbao import spec
from nianbao.api import validate
from nianbao.model.unit import Settings, Unit
from nianbao.outputs.pdf import convert_many
from nianbao.workbook import layout, panel, template
from nianbao.workbook.fill import fill_bytes

pytestmark = pytest.mark.office

FILLS = 200
#: The errors a workbook can know (its panel's rules): the declared rules.
KNOWABLE = {r.code for r in spec.DECLARED_RULES}
CORPUS = json.loads((Path(__file__).parent / "corpus" / "placeholders.json").read_text(
    encoding="utf-8"))["cases"]
PLACEHOLDER_TEXTS = [c["text"] for c in CORPUS if c["placeholder"]]
ORDINARY_TEXTS = [c["text"] for c in CORPUS if not c["placeholder"]]
TYPED_NUMBERS = [" 12 ", "1,234", "１２", "\u3000３\u3000", "+4", "5.", "０.５"]
NOT_NUMBERS = ["5件", "—", "/", "三", "1.2.3", "50%", "1e3"]


def _texts(rng: random.Random, base: dict[str, str]) -> dict[str, str]:
    texts = dict(base)
    for fld in spec.TEXT_FIELDS:
        roll = rng.random()
        if roll < 0.015:
            texts[fld.code] = rng.choice(["", "   ", "\u200b", "\n\u3000"])
        elif roll < 0.03:
            texts[fld.code] = rng.choice(PLACEHOLDER_TEXTS)
        elif roll < 0.2:
            texts[fld.code] = rng.choice(ORDINARY_TEXTS)
    return texts


def fill(rng: random.Random, base) -> tuple[str, object, dict]:
    """(level, report, raw cell overrides) of one random return."""
    level = rng.choice(spec.LEVELS)
    report = consistent(base, rng.randrange(10_000))
    figures = dict(report.figures)
    inputs = [c for c in spec.INPUT_CODES if c != "T2_FEES"]
    if rng.random() < 0.15:
        code = rng.choice(inputs)
        figures[code] += rng.choice([1, 2, -1]) if figures[code] else 1
    if rng.random() < 0.2:
        figures[rng.choice(["T2_REG_ISSUED", "T2_REG_INFORCE"])] = Decimal(rng.randint(1, 3))
    if rng.random() < 0.04:
        figures[rng.choice(inputs)] = Decimal(-2)
    if rng.random() < 0.04:
        figures[rng.choice(inputs)] = Decimal("1.5")
    figures["T2_FEES"] = rng.choice([Decimal(0), Decimal("96171.6"), Decimal("5949.088667"),
                                     Decimal("12.5"), Decimal("1.0000001")])
    report = dataclasses.replace(report, figures=figures, level=level,
                                 texts=_texts(rng, report.texts)).with_totals()
    raw: dict[str, object] = {}
    for _ in range(rng.choice([0, 0, 0, 1, 2])):
        code = rng.choice(inputs)
        roll = rng.random()
        if roll < 0.5:
            raw[code] = rng.choice(TYPED_NUMBERS)
        elif roll < 0.7:
            raw[code] = rng.choice(NOT_NUMBERS)
        else:
            raw[code] = None
    return level, report, raw


_HELPER = re.compile(r"^\$([A-Z]+)\$(\d+)$")


def highlighted(saved) -> set[str]:
    """Cells whose highlight is on in the saved workbook: each conditional format that reads a
    sheet's helper cell (TRUE while its panel line fails), as LibreOffice computed that cell."""
    wb = openpyxl.load_workbook(saved)
    values = openpyxl.load_workbook(saved, data_only=True)
    helper = openpyxl.utils.get_column_letter(layout.HELPER_COL + 1)
    lit: set[str] = set()
    for ws in wb.worksheets:
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                match = _HELPER.match("".join(rule.formula or []))
                if not match or match.group(1) != helper:
                    continue
                if values[ws.title][f"{match.group(1)}{match.group(2)}"].value is True:
                    lit |= {f"{ws.title}!{c}" for rng_ in cf.sqref.ranges for c in _cells(rng_)}
    return lit


def _cells(cell_range) -> list[str]:
    return [f"{openpyxl.utils.get_column_letter(col)}{row}"
            for row in range(cell_range.min_row, cell_range.max_row + 1)
            for col in range(cell_range.min_col, cell_range.max_col + 1)]


@pytest.fixture(scope="module")
def recalculated(sample_report, tmp_path_factory):
    needs("soffice")
    tmp = tmp_path_factory.mktemp("parity")
    rng = random.Random(2025)
    templates = {level: template.build_bytes(Unit(sample_report.unit, sample_report.parent, level),
                                             Settings(sample_report.year))
                 for level in spec.LEVELS}
    paths = []
    for i in range(FILLS):
        level, report, raw = fill(rng, sample_report)
        path = tmp / f"{i:03d}.xlsx"
        path.write_bytes(fill_bytes(templates[level], report, raw))
        paths.append(path)
    saved = convert_many(paths, "xlsx", tmp / "lo", recalc=True, jobs=2)
    return [(path, out, validate(path).findings) for path, out in zip(paths, saved, strict=True)]


def test_the_workbook_says_不通过_exactly_when_validate_finds_a_knowable_error(recalculated):
    disagreements, failing = [], 0
    for path, saved, findings in recalculated:
        errors = {f.code for f in findings if f.is_error}
        knowable = errors & KNOWABLE
        status = openpyxl.load_workbook(saved, data_only=True)[layout.PANEL]["B1"].value
        failing += bool(knowable)
        if status != ("不通过" if knowable else "通过"):
            disagreements.append((path.name, status, sorted(knowable)))
    assert disagreements == []
    assert 40 < failing < FILLS - 40  # both verdicts are well represented


def test_every_cell_of_a_knowable_error_is_highlighted(recalculated):
    missing = []
    failing = [r for r in recalculated if any(f.is_error and f.code in KNOWABLE for f in r[2])]
    for path, saved, findings in failing[:40]:
        lit = highlighted(saved)
        for f in findings:
            if f.is_error and f.code in KNOWABLE:
                missing += [(path.name, f.code, c) for c in f.cells if c not in lit]
    assert missing == []


def test_a_passing_workbook_has_nothing_highlighted(recalculated):
    passing = [saved for _, saved, findings in recalculated
               if not {f.code for f in findings if f.is_error} & KNOWABLE]
    assert passing
    for saved in passing[:10]:
        assert highlighted(saved) == set()


def _banner_line(check: spec.Check, shown: str) -> bool:
    """Whether `shown` is `check`'s failing line: what is wrong (a sum that does not balance
    with both sides' figures as recalculated), never the rule that must hold."""
    cond = check.condition
    if isinstance(cond, spec.Equal):
        pattern = (re.escape(f"{check.prefix}：{cond.left.symbol()}（") + r"(-?[\d.]+)"
                   + re.escape(f"）与{cond.right.symbol()}（") + r"(-?[\d.]+)" + re.escape("）不相等"))
        match = re.fullmatch(pattern, shown)
        return bool(match) and Decimal(match.group(1)) != Decimal(match.group(2))
    return shown == panel.problem(check)


def test_every_banner_says_the_first_problem_in_words(recalculated):
    """On every sheet of every failing fill: 不通过（count 项）：the first failing line, in
    words of what is wrong, as LibreOffice computed it."""
    checked = 0
    for path, saved, _ in recalculated:
        book = openpyxl.load_workbook(saved, data_only=True)
        results = [book[layout.PANEL].cell(layout.panel_row(i) + 1, layout.RESULT_COL + 1).value
                   for i in range(len(spec.CHECKS))]
        if "不通过" not in results:
            continue
        first = results.index("不通过")
        prefix = f"不通过（{results.count('不通过')} 项）："
        for sheet in layout.VISIBLE_SHEETS:
            if sheet == layout.PANEL:
                continue
            banner = book[sheet]["B1"].value
            assert banner.startswith(prefix), (path.name, sheet, banner)
            assert _banner_line(spec.CHECKS[first], banner.removeprefix(prefix)), (path.name, banner)
        checked += 1
    assert checked > 40


def test_a_fresh_template_names_what_is_missing(sample_report, tmp_path):
    needs("soffice")
    path = tmp_path / "空白.xlsx"
    path.write_bytes(template.build_bytes(Unit(sample_report.unit, sample_report.parent, "乡镇"),
                                          Settings(sample_report.year)))
    saved = convert_many([path], "xlsx", tmp_path / "lo", recalc=True, jobs=1)[0]
    book = openpyxl.load_workbook(saved, data_only=True)
    empty = [f for f in spec.TEXT_FIELDS if f.code != "TEXT_PREAMBLE"]
    expected = f"不通过（{len(empty)} 项）：{empty[0].label}：未填写"
    assert {book[s]["B1"].value for s in layout.VISIBLE_SHEETS if s != layout.PANEL} == {expected}
    lines = [book[layout.PANEL].cell(layout.PANEL_COUNT_ROW + k + 1, 1).value for k in (1, 2)]
    assert lines == [f"{k}. {f.label}：未填写" for k, f in enumerate(empty[:2], 1)]
