"""The spec against the reference text: every label, merge and heading, verbatim."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nianbao import spec

REFERENCE = (Path(__file__).parent / "fixtures" / "statutory_format.md").read_text(encoding="utf-8")


def code_block_after(heading: str) -> list[str]:
    """The lines (tab-separated cells split) of the first ``` block after ``heading``."""
    start = REFERENCE.index(heading)
    block = REFERENCE[start:].split("```", 2)[1]
    return [cell for line in block.strip().splitlines() for cell in line.split("\t") if cell]


def merge_table_after(heading: str) -> dict[tuple[int, int], tuple[int, int, str]]:
    """(row, col) → (rows, cols, text) from a '| cells | content | span |' table."""
    section = REFERENCE[REFERENCE.index(heading):]
    section = section[:section.index("\n#", 1)]
    found = {}
    for cells, content in re.findall(r"^\| ([A-Z]\d+(?::[A-Z]\d+)?) \| ([^|]+?) \|", section, re.M):
        if "/" in content:
            continue
        a = re.match(r"([A-Z])(\d+)(?::([A-Z])(\d+))?", cells)
        assert a
        c1, r1 = ord(a.group(1)) - 65, int(a.group(2)) - 1
        c2 = ord(a.group(3)) - 65 if a.group(3) else c1
        r2 = int(a.group(4)) - 1 if a.group(4) else r1
        found[(r1, c1)] = (r2 - r1 + 1, c2 - c1 + 1, content.strip())
    return found


def labels_in_order(table: spec.Table) -> list[str]:
    return [lab.text for lab in sorted(table.labels, key=lambda lab: (lab.row, lab.col))]


def test_table_two_labels_are_the_reference_lines_in_order():
    assert labels_in_order(spec.T2) == code_block_after("### 3.1")


def test_table_three_row_labels_follow_the_reference_order():
    reference = code_block_after("### 3.2")
    ours = [lab.text for lab in sorted(spec.T3.labels, key=lambda lab: (lab.row, lab.col))]
    for text in ours:
        assert text in reference, text
    row_labels = [lab.text for lab in sorted(spec.T3.labels, key=lambda x: (x.row, x.col))
                  if lab.row >= 3]
    positions = [reference.index(t) for t in row_labels]
    assert positions == sorted(positions)


def test_table_four_labels_are_all_in_the_reference():
    reference = code_block_after("### 3.3")
    assert {lab.text for lab in spec.T4.labels} == set(reference)


@pytest.mark.parametrize("table, heading", [(spec.T3, "### 3.2"), (spec.T4, "### 3.3")])
def test_merged_header_cells_match_the_reference_spans(table, heading):
    merges = merge_table_after(heading)
    ours = {(lab.row, lab.col): (lab.rows, lab.cols, lab.text) for lab in table.labels}
    assert merges, "no merge rows parsed"
    for position, expected in merges.items():
        assert ours[position] == expected, position


def test_every_grid_cell_is_covered_exactly_once():
    for table in spec.TABLES:
        covered: dict[tuple[int, int], str] = {}
        items = [(lab.row, lab.col, lab.rows, lab.cols, lab.text) for lab in table.labels]
        items += [(f.row, f.col, 1, f.cols, f.code) for f in table.figures]
        for row, col, rows, cols, what in items:
            for r in range(row, row + rows):
                for c in range(col, col + cols):
                    assert (r, c) not in covered, (table.name, r, c, what, covered.get((r, c)))
                    covered[(r, c)] = what
        assert len(covered) == table.n_rows * table.n_cols, table.name


def test_part_headings_are_the_statutory_ones():
    block = code_block_after("Part headings as printed")
    assert [p.heading for p in spec.PARTS] == block


def test_printed_characters_are_full_width_brackets_and_curly_quotes():
    texts = [lab.text for t in spec.TABLES for lab in t.labels]
    assert "3.危及“三安全一稳定”" in texts
    assert all("(" not in t and ")" not in t for t in texts)
    assert "本年收费金额（单位：万元）" in texts


def test_contract_codes_are_exactly_the_documented_ones():
    t3_rows = ["NEW", "CARRIED_IN", "GRANTED", "PARTIAL", *(f"DENIED_{i}" for i in range(1, 9)),
               *(f"UNABLE_{i}" for i in range(1, 4)), *(f"DECLINED_{i}" for i in range(1, 6)),
               *(f"MISC_{i}" for i in range(1, 4)), "TOTAL", "CARRIED_FORWARD"]
    t3_cols = ["NATURAL", "COMMERCIAL", "RESEARCH", "NONPROFIT", "LEGAL", "OTHER", "TOTAL"]
    t4 = [f"T4_{g}_{c}" for g in ("REVIEW", "SUIT_DIRECT", "SUIT_AFTER_REVIEW")
          for c in ("UPHELD", "CORRECTED", "OTHER", "PENDING", "TOTAL")]
    t2 = ["T2_REG_ISSUED", "T2_REG_REPEALED", "T2_REG_INFORCE", "T2_NORM_ISSUED",
          "T2_NORM_REPEALED", "T2_NORM_INFORCE", "T2_LICENSE", "T2_PENALTY", "T2_COERCION",
          "T2_FEES"]
    expected = set(t2) | {f"T3_{r}_{c}" for r in t3_rows for c in t3_cols} | set(t4)
    assert set(spec.FIGURES) == expected
    computed = {c for c, f in spec.FIGURES.items() if f.computed}
    assert computed == ({f"T3_TOTAL_{c}" for c in t3_cols} | {f"T3_{r}_TOTAL" for r in t3_rows}
                        | {f"T4_{g}_TOTAL" for g in ("REVIEW", "SUIT_DIRECT", "SUIT_AFTER_REVIEW")})
    assert [f.code for f in spec.META_FIELDS] == ["META_UNIT", "META_PARENT", "META_LEVEL",
                                                  "META_YEAR", "META_DATE", "META_TITLE"]
    assert [f.code for f in spec.TEXT_FIELDS] == [
        "TEXT_PREAMBLE", "TEXT_PROACTIVE", "TEXT_ON_REQUEST", "TEXT_MANAGEMENT", "TEXT_PLATFORM",
        "TEXT_OVERSIGHT", "TEXT_PROBLEMS", "TEXT_OTHER"]


def test_every_computed_cell_is_defined_by_exactly_one_rule():
    defining = [c.defines for c in spec.CHECKS if c.defines]
    assert sorted(defining) == sorted(c for c, f in spec.FIGURES.items() if f.computed)


def test_no_statutory_label_is_written_outside_the_spec():
    """House style: labels live in nianbao.spec only; other modules ask the spec."""
    labels = {lab.text for t in spec.TABLES for lab in t.labels if len(lab.text) >= 6}
    labels |= {p.heading for p in spec.PARTS}
    src = Path(spec.__file__).parents[1]
    checked = [p for p in src.rglob("*.py") if p != Path(spec.__file__)]
    assert len(checked) > 30
    for path in checked:
        text = path.read_text(encoding="utf-8")
        for label in labels:
            assert label not in text, f"{label} written in {path.name}"


#: Printed row words that are not part of their row's statutory label (how reports print it).
PRINTED_ALIASES = {"TOTAL": {"合计"}}


def test_the_printed_row_words_are_each_rows_own_and_live_in_the_spec():
    """The importer finds a printed row by these words: each is in that row's label (or a
    known printed alias), and the guard keeps them out of every other module."""
    labels = {key: text for key, _, text in spec._T3_ROWS}
    for key, words in spec.T3_PRINTED_WORDS.items():
        for word in words:
            assert word in labels[key] or word in PRINTED_ALIASES.get(key, ()), (key, word)
    t2_labels = {f.code: f.row_name for f in spec.T2.figures}
    for key, words, codes in spec.T2_PRINTED_ROWS:
        assert any(w in t2_labels[codes[0]] for w in words), key
    # 上年结转 and 结转下年(度) are also the short names messages give those rows
    shorts = {f.short for f in spec.FIGURES.values()}
    long_words = {w for ws in spec.T3_PRINTED_WORDS.values() for w in ws
                  if len(w) >= 4 and not any(short.startswith(w) for short in shorts)}
    assert {"国家秘密", "三安全一稳定", "执法案卷"} <= long_words
    src = Path(spec.__file__).parents[1]
    for path in src.rglob("*.py"):
        if path != Path(spec.__file__):
            text = path.read_text(encoding="utf-8")
            assert not [w for w in long_words if w in text], path.name
