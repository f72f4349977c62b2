"""One registry of output formats: a format added to it appears in render, batch, serve's
downloads and the unit page; render -o honours the suffix; batch writes PDFs."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from conftest import needs
from nianbao.cli import cli
from nianbao.outputs import formats
from nianbao.serve.app import create_app
from nianbao.serve.folder import INBOX, RESULTS

TEXT = formats.Format("txt", ".txt", "报告（纯文本）",
                      lambda report, options: f"{report.unit}\n{report.year}".encode())


@pytest.fixture
def with_text_format(monkeypatch):
    monkeypatch.setitem(formats.FORMATS, "txt", TEXT)
    monkeypatch.setattr(formats, "SERVED", (*formats.SERVED, "txt"))


def _batch_one(source, tmp_path, formats: str) -> None:
    """batch over an inbox holding one returned workbook, into tmp_path/结果."""
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    shutil.copy(source, inbox / "高凤镇.xlsx")
    done = CliRunner().invoke(cli, ["batch", str(inbox), "--out", str(tmp_path / "结果"),
                                    "--formats", formats, "--jobs", "1"])
    assert done.exit_code in (0, 1), done.output


def test_a_new_format_is_offered_everywhere(with_text_format, filled, sample_report, tmp_path,
                                             round_copy):
    source = filled(sample_report)
    made = CliRunner().invoke(cli, ["render", str(source), "-o", str(tmp_path / "报告.txt")])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "报告.txt").read_text(encoding="utf-8").startswith(sample_report.unit)
    assert "报告（纯文本）" in made.output
    _batch_one(source, tmp_path, "docx,txt")
    assert sorted(p.suffix for p in (tmp_path / "结果" / "reports").iterdir()) == [".docx", ".txt"]
    # serve renders what SERVED lists and offers every format it finds
    shutil.rmtree(round_copy / RESULTS)
    app = create_app(round_copy)
    folder = app.extensions["nianbao.folder"]
    folder.refresh()
    unit = "井研县高凤镇人民政府"
    assert "txt" in folder.downloads(unit)
    page = app.test_client().get(f"/units/{unit}").get_data(as_text=True)
    assert "报告（纯文本）" in page and ".txt" in page
    assert (round_copy / INBOX).is_dir()


def test_render_takes_the_format_from_the_output_suffix(filled, sample_report, tmp_path):
    source = filled(sample_report)
    made = CliRunner().invoke(cli, ["render", str(source), "-o", str(tmp_path / "报告.html")])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "报告.html").read_bytes().lstrip().lower().startswith(b"<!doctype html")


def test_render_refuses_a_suffix_that_names_another_format(filled, sample_report, tmp_path):
    source = filled(sample_report)
    made = CliRunner().invoke(cli, ["render", str(source), "-o", str(tmp_path / "报告.pdf"),
                                    "--format", "docx"])
    assert made.exit_code == 2
    assert "扩展名是 .pdf" in made.output and "docx" in made.output
    assert not (tmp_path / "报告.pdf").exists()


@pytest.mark.office
def test_render_o_pdf_writes_a_pdf_and_batch_writes_pdfs(filled, sample_report, tmp_path):
    needs("soffice")
    source = filled(sample_report)
    made = CliRunner().invoke(cli, ["render", str(source), "-o", str(tmp_path / "报告.pdf")])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "报告.pdf").read_bytes().startswith(b"%PDF-")
    _batch_one(source, tmp_path, "pdf")
    pdfs = list((tmp_path / "结果" / "reports").glob("*.pdf"))
    assert len(pdfs) == 1 and pdfs[0].read_bytes().startswith(b"%PDF-")
