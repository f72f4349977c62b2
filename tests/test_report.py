"""The report model: lossless JSON, totals, the built-in sample."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from nianbao import spec
from nianbao.checks.registry import Context, run
from nianbao.errors import ReportFormatError
from nianbao.model import jsonform as rj
from nianbao.model.report import Report, compute_totals

counts = st.integers(min_value=0, max_value=10**6).map(Decimal)
fees = st.decimals(min_value=0, max_value=10**8, places=6, allow_nan=False,
                   allow_infinity=False)
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@st.composite
def reports(draw) -> Report:
    figures = {code: draw(counts) for code in spec.INPUT_CODES if code != "T2_FEES"}
    figures["T2_FEES"] = draw(fees)
    return Report(
        unit=draw(texts), parent=draw(texts), level=draw(st.sampled_from(spec.LEVELS)),
        year=draw(st.integers(2000, 2100)),
        date=draw(st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2101, 12, 31))),
        title=draw(texts), website=draw(texts),
        texts={f.code: draw(texts) for f in spec.TEXT_FIELDS},
        figures=figures,
    ).with_totals()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(reports())
def test_json_round_trip_is_lossless(report):
    again = rj.loads(rj.dumps(report))
    assert again == report
    assert {k: str(v.normalize()) for k, v in again.figures.items()} == \
        {k: str(v.normalize()) for k, v in report.figures.items()}


def test_totals_are_recomputed_from_inputs(sample_report):
    figures = dict(sample_report.figures)
    figures.update({"T3_NEW_NATURAL": Decimal(2), "T3_NEW_LEGAL": Decimal(3),
                    "T3_GRANTED_NATURAL": Decimal(4), "T3_MISC_3_OTHER": Decimal(1)})
    done = dataclasses.replace(sample_report, figures=figures).with_totals()
    assert done.figure("T3_NEW_TOTAL") == 5
    assert done.figure("T3_TOTAL_NATURAL") == 4
    assert done.figure("T3_TOTAL_TOTAL") == 5


def test_a_total_over_an_unreadable_cell_is_left_out(sample_report):
    assert "T3_NEW_TOTAL" in sample_report.figures  # the stale total the old code kept
    done = sample_report.with_totals(unreadable=["T3_NEW_LEGAL"])
    assert "T3_NEW_TOTAL" not in done.figures  # 本年新收 总计 sums the unreadable 法律服务机构
    assert "T3_TOTAL_TOTAL" in done.figures and "T3_CARRIED_IN_TOTAL" in done.figures
    assert "T3_NEW_TOTAL" not in compute_totals(done.figures, ["T3_NEW_LEGAL"])


def test_the_sample_is_the_published_report(sample_report):
    assert sample_report.unit == "井研县高凤镇人民政府"
    assert sample_report.date == dt.date(2025, 1, 9)
    assert all(v == 0 for v in sample_report.figures.values())
    assert "未收取政府信息公开信息处理费" in sample_report.texts["TEXT_OTHER"]
    assert run(Context(sample_report)) == []


@pytest.mark.parametrize("bad", [
    "[]", '{"schema": "other"}', '{"schema": "nianbao.report/1", "meta": {"year": "2024"}}',
    '{"schema": "nianbao.report/1", "meta": {"year": 2024}, "figures": {"T9_X": 1}}',
    '{"schema": "nianbao.report/1", "meta": {"year": 2024}, "figures": {"T2_LICENSE": "5"}}',
    '{"schema": "nianbao.report/1", "meta": {"year": 2024, "date": "1月9日"}}', "{not json",
])
def test_malformed_json_is_refused_with_a_reason(bad):
    with pytest.raises(ReportFormatError):
        rj.loads(bad)


def test_json_form_is_keyed_by_contract_codes(sample_report):
    data = json.loads(rj.dumps(sample_report))
    assert data["schema"] == "nianbao.report/1" and data["format"] == "gov-2021"
    assert list(data["figures"]) == list(spec.FIGURES)
    assert data["meta"]["date"] == "2025-01-09"
