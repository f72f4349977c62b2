"""Every declared rule breaks on its failing cases and stays quiet on its passing ones."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from nianbao import sources, spec
from nianbao.api import validate
from nianbao.checks import check_reading, registry
from nianbao.model.report import Report
from nianbao.sources.base import Reading
from nianbao.sources.workbook import locate
from nianbao.workbook.fill import fill_bytes
from published_docs import page
from rule_cases import CASES, Case


def _report(base: Report, case: Case) -> Report:
    figures = dict(base.figures)
    figures.update({k: Decimal(str(v)) for k, v in case.figures.items()})
    report = dataclasses.replace(base, figures=figures, **case.meta).with_totals()
    figures = dict(report.figures)
    figures.update({k: Decimal(str(v)) for k, v in case.totals.items()})
    texts = {**base.texts, **case.texts}
    return dataclasses.replace(report, figures=figures, texts=texts)


def _previous(base: Report, case: Case) -> Report | None:
    if case.previous is None:
        return None
    zeros = {c: Decimal(0) for c in spec.INPUT_CODES}
    zeros.update({k: Decimal(str(v)) for k, v in case.previous.items()})
    return dataclasses.replace(base, year=base.year - 1, figures=zeros,
                               **case.previous_meta).with_totals()


def findings_for(case: Case, base: Report, template: bytes, tmp_path):
    if case.published is not None:
        path = tmp_path / "case.html"
        path.write_text(case.published(page(_report(base, case))), encoding="utf-8")
        if case.printed:
            from test_producers import _writer

            _writer([path], tmp_path, tagged=False)
            path = path.with_suffix(".pdf")
        result = validate(path, _previous(base, case))
        assert not result.problem, result.problem
    elif case.raw is None:
        result = check_reading(Reading(_report(base, case), locator=locate), "case",
                               _previous(base, case), case.units, case.round_year)
    else:
        data = fill_bytes(template, base, case.raw)
        if case.mutate:
            data = case.mutate(data)
        path = tmp_path / "case.xlsx"
        path.write_bytes(data)
        result = validate(path)
        assert not result.problem, result.problem
    return result.findings


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.rule}-{c.name}")
def test_rule_case(case, sample_report, sample_template, tmp_path):
    findings = findings_for(case, sample_report, sample_template, tmp_path)
    mine = [f for f in findings if f.code == case.rule]
    if not case.fails:
        assert mine == []
        return
    assert mine, [f.code for f in findings]
    cells = tuple(dict.fromkeys(c for f in mine for c in f.cells))
    assert cells == case.cells, cells
    for f in mine:
        assert f.message.endswith(spec.RULES[case.rule].fix)
        assert all(c in f.message for c in f.cells[:4])


#: Rules about the file as a whole: their findings name no cell.
FILE_LEVEL = ("META_MISSING", "TEMPLATE_OUTDATED", "TEMPLATE_ALTERED", "EXTRA_SHEET", "PREVIOUS_UNIT",
              # figures no cell holds (they could not be placed): named by the page they are on
              "PRINTED_PLACE_UNSURE")


def test_every_failing_case_names_its_cells():
    for case in CASES:
        if case.fails and case.rule not in FILE_LEVEL:
            assert case.cells, case.name


def test_every_declared_rule_has_one_implementation_and_no_implementation_is_undeclared():
    registered = set(registry.registered())
    emitted = set().union(*(s.emits for s in sources.SOURCES))
    assert registered | emitted == set(spec.RULES)
    assert not registered & emitted


def test_a_rule_must_be_declared_before_it_is_registered():
    with pytest.raises(LookupError, match="not declared"):
        registry.rule("NO_SUCH_RULE")(lambda context: [])
    with pytest.raises(LookupError, match="twice"):
        registry.rule("TEXT_EMPTY")(lambda context: [])


def test_every_rule_has_a_passing_and_a_failing_case():
    for code in spec.RULES:
        kinds = {c.fails for c in CASES if c.rule == code}
        assert kinds == {True, False}, f"{code} lacks a {'failing' if True not in kinds else 'passing'} case"


def test_the_sample_satisfies_every_rule(sample_report):
    result = check_reading(Reading(sample_report), "sample")
    assert result.findings == ()
