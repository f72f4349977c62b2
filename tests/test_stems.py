"""Output names are unique per unit by construction: two different units never share a stem,
a unit keeps its stem from run to run, and invisible characters never reach a file name."""

from __future__ import annotations

import dataclasses
import json

from hypothesis import given, settings, strategies as st

from conftest import consistent
from nianbao.model.unit import Settings, Unit
from nianbao.outfile import MAX_NAME, safe_name, unit_stem
from nianbao.round import batch
from nianbao.workbook import template
from nianbao.workbook.fill import fill_bytes

#: What unit names are made of, hostile parts included: Chinese, dots and spaces at the ends,
#: characters Windows refuses, bidirectional and zero-width characters, full-width forms.
ALPHABET = st.sampled_from(list("某县镇人民政府街道办事处局.　 /\\:*?\"<>|_-（）()ＡA1１")
                           + ["\u202e", "\u200b", "\ufeff", "\u2066", "\x00", "\n"])
NAMES = st.text(ALPHABET, min_size=1, max_size=120)


@settings(max_examples=500, deadline=None)
@given(a=NAMES, b=NAMES, year=st.integers(2000, 2100))
def test_two_different_units_never_share_a_stem(a, b, year):
    if a != b:
        assert unit_stem(year, a) != unit_stem(year, b)
    assert unit_stem(year, a) == unit_stem(year, a)  # the same from run to run


@settings(max_examples=300, deadline=None)
@given(name=NAMES, year=st.integers(2000, 2100))
def test_a_stem_is_a_safe_file_name_without_invisible_characters(name, year):
    stem = unit_stem(year, name)
    assert safe_name(stem) == stem and len(stem) <= MAX_NAME
    assert not any(ch in stem for ch in "\u202e\u200b\ufeff\u2066\x00\n/\\:*?\"<>|")


def test_an_ordinary_name_is_its_own_stem():
    assert unit_stem(2024, "井研县高凤镇人民政府") == "2024_井研县高凤镇人民政府"


def test_a_trailing_dot_and_a_hidden_override_do_not_overwrite_the_real_unit(
        tmp_path, sample_report):
    """The review's case: a workbook for 某某镇人民政府. overwrote the real unit's report and
    its data/*.json (next year's --previous)."""
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    names = ["某某镇人民政府", "某某镇人民政府.", "某某镇人民政府\u202e", "某" * 90 + "甲", "某" * 90 + "乙"]
    for i, name in enumerate(names):
        report = dataclasses.replace(consistent(sample_report, i), unit=name, title="")
        blank = template.build_bytes(Unit(name, "某县", "乡镇"), Settings(report.year))
        (inbox / f"{i}.xlsx").write_bytes(fill_bytes(blank, report))
    out = tmp_path / "结果"
    result = batch.run(inbox, out, jobs=1)
    notes = {row.unit: row.note for row in result.rows}
    assert "文件名为“2024_某某镇人民政府-" in notes["某某镇人民政府."]  # said in 提交情况
    assert "文件名" not in notes["某某镇人民政府"]
    data = sorted((out / "data").iterdir())
    assert len(data) == len(names)
    units = {json.loads(p.read_text(encoding="utf-8"))["meta"]["unit"] for p in data}
    assert units == set(names)
    assert not any("\u202e" in p.name for p in (out / "data").iterdir())
