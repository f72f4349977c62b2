"""Input sources: chosen by content, not by name; each places findings in its own terms."""

from __future__ import annotations

import pytest

from conftest import with_figures
from nianbao import sources
from nianbao.api import check_file
from nianbao.errors import FileProblem
from nianbao.model import jsonform
from nianbao.workbook.fill import fill_bytes


def test_a_report_json_is_read_as_json_whatever_its_name(sample_report, tmp_path):
    for name in ("高凤镇.json", "高凤镇.xlsx", "无扩展名"):
        path = tmp_path / name
        path.write_text(jsonform.dumps(sample_report), encoding="utf-8")
        read = sources.read(path)
        assert read.source == "report-json" and read.report == sample_report


def test_a_workbook_is_read_as_a_workbook_whatever_its_name(sample_report, sample_template,
                                                           tmp_path):
    data = fill_bytes(sample_template, sample_report)
    for name in ("高凤镇.xlsx", "高凤镇.json", "高凤镇.et", "报表"):
        path = tmp_path / name
        path.write_bytes(data)
        read = sources.read(path)
        assert read.source == "workbook"
        assert read.report.figures == sample_report.figures


def test_what_no_source_claims_is_named_by_the_workbook_source(tmp_path):
    path = tmp_path / "报表.json"
    path.write_text("这是一封邮件", encoding="utf-8")
    with pytest.raises(FileProblem) as exc:
        sources.read(path)
    assert exc.value.code == "NOT_EXCEL"


def test_each_source_places_findings_in_its_own_terms(sample_report, sample_template, tmp_path):
    bad = with_figures(sample_report, T2_REG_INFORCE=2)
    book = tmp_path / "bad.xlsx"
    book.write_bytes(fill_bytes(sample_template, bad))
    data = tmp_path / "bad.json"
    data.write_text(jsonform.dumps(bad), encoding="utf-8")
    from_book = [f for f in check_file(book)[1].findings if f.code == "REGULATION_NOT_ALLOWED"]
    from_json = [f for f in check_file(data)[1].findings if f.code == "REGULATION_NOT_ALLOWED"]
    assert from_book[0].cells == ("表二!D5",)
    assert from_json[0].cells == ("T2_REG_INFORCE",)
    assert "表二!D5" in from_book[0].message and "T2_REG_INFORCE" in from_json[0].message
