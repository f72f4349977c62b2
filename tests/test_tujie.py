"""图解 (#26): the report's figures as one picture, every number mapped back to its figure."""

from __future__ import annotations

import dataclasses
import json
import random
import shutil
import struct
from decimal import Decimal

import pytest
from click.testing import CliRunner
from lxml import etree

from conftest import consistent, with_figures
from nianbao import spec
from nianbao.cli import cli
from nianbao.model.values import fmt_number
from nianbao.outputs import formats, html, outline, tujie

SVG = "{http://www.w3.org/2000/svg}"
#: Every figure the 图解 must show, as the contract codes it labels.
SHOWN = {*(f.code for f in spec.T2.figures), "T3_NEW_TOTAL", "T3_CARRIED_IN_TOTAL",
         "T3_CARRIED_FORWARD_TOTAL", *(f"T3_NEW_{k}" for k, _ in spec.T3_APPLICANTS),
         "T3_GRANTED_TOTAL", "T3_PARTIAL_TOTAL", *(f.code for f in spec.T4.figures)}


def _fill(sample_report, seed: int):
    """Random fills: township-sized, all zeros, and province-sized (7 digits)."""
    rng = random.Random(seed)
    report = consistent(sample_report, seed)
    kind = seed % 4
    if kind == 1:
        return dataclasses.replace(report, figures={k: Decimal(0) for k in report.figures})
    if kind == 2:
        big = {code: rng.randint(1_000_000, 9_999_999) for code in spec.INPUT_CODES
               if code.startswith(("T2_", "T3_NEW_", "T4_")) and code != "T2_FEES"}
        return with_figures(report, **big)
    return report


def _texts(svg: bytes):
    return etree.fromstring(svg).iter(f"{SVG}text")


def test_every_number_in_the_svg_is_the_figure_it_labels(sample_report):
    for seed in range(24):
        report = _fill(sample_report, seed)
        svg = tujie.render_svg(report)
        seen = set()
        for text in _texts(svg):
            if text.get("data-code") and not text.get("data-code").startswith("STATE:"):
                code = text.get("data-code")
                if text.text == "本年度未收到政府信息公开申请":
                    assert report.figure("T3_NEW_TOTAL") == 0
                else:
                    assert text.text == fmt_number(report.figure(code)), (seed, code)
                seen.add(code)
            if text.get("data-sum"):
                codes = text.get("data-sum").split()
                assert text.text == fmt_number(sum(report.figure(c) for c in codes)), seed
                seen.update(codes)
        applications = any(report.figure(f"T3_{r}_TOTAL") for r in
                           ("NEW", "CARRIED_IN", "CARRIED_FORWARD"))
        want = SHOWN if applications else {c for c in SHOWN if not c.startswith("T3_")}
        assert want <= seen, (seed, sorted(want - seen)[:5])


def test_the_figures_fit_their_place_at_any_magnitude(sample_report):
    """Each figure's width at its size (digits ½ em) stays inside the 1080-px picture."""
    for seed in (2, 6, 10):
        report = _fill(sample_report, seed)
        assert report.figure("T2_PENALTY") >= 1_000_000
        for text in _texts(tujie.render_svg(report)):
            width = outline.text_width(text.text or "") * float(text.get("font-size"))
            x = float(text.get("x"))
            left = {"start": x, "middle": x - width / 2, "end": x - width}[text.get("text-anchor")]
            assert 0 <= left and left + width <= tujie.WIDTH, (text.text, left, width)


def test_no_applications_is_one_clean_panel(sample_report):
    report = _fill(sample_report, 1)
    svg = tujie.render_svg(report).decode()
    assert "本年度未收到政府信息公开申请" in svg
    assert 'data-code="T3_NEW_NATURAL"' not in svg and "%" not in svg


def test_a_long_unit_name_breaks_only_where_words_end(sample_report):
    unit = "中共井研县委机构编制委员会办公室（井研县机构编制委员会办公室）"
    report = dataclasses.replace(sample_report, unit=unit)
    title = [t.text for t in _texts(tujie.render_svg(report)) if t.get("class") == "title"]
    lines = title[:-1]
    assert len(lines) >= 2 and "".join(lines) == f"{unit}{report.year}年"
    pieces = outline.title_pieces(f"{unit}{report.year}年", unit)
    ends = {sum(len(p) for p in pieces[:i + 1]) for i in range(len(pieces))}
    at = 0
    for line in lines:
        at += len(line)
        assert at in ends, line


def test_the_svg_is_text_titled_described_self_contained_and_deterministic(sample_report):
    svg = tujie.render_svg(sample_report, sample_report)
    assert svg == tujie.render_svg(sample_report, sample_report)
    root = etree.fromstring(svg)
    assert root.get("lang") == "zh-CN" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text.startswith(sample_report.unit)
    desc = root.find(f"{SVG}desc").text
    assert fmt_number(sample_report.figure("T3_NEW_TOTAL")) in desc
    assert b"href" not in svg and b"url(" not in svg and b"<image" not in svg
    for role in ("title", "heading", "body"):
        family = tujie.FONTS[role]
        assert "Noto" in family and family.rstrip().endswith(("serif", "sans-serif"))


def test_last_years_headline_figures_stand_beside_this_years(sample_report):
    report, before = consistent(sample_report, 3), consistent(sample_report, 9)
    svg = tujie.render_svg(report, before)
    shown = {t.get("data-previous"): t.text for t in _texts(svg) if t.get("data-previous")}
    assert {"T3_NEW_TOTAL", "T2_LICENSE", "T2_NORM_INFORCE"} <= set(shown)
    for code, text in shown.items():
        assert text == f"上年 {fmt_number(before.figure(code))}"
    assert not [t for t in _texts(tujie.render_svg(report)) if t.get("data-previous")]


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_every_text_meets_wcag_aa_contrast_on_what_it_stands_on(sample_report):
    """The background of a text is the last rectangle drawn under its position."""
    for report in (sample_report, _fill(sample_report, 1)):
        root = etree.fromstring(tujie.render_svg(report))
        rects = []
        for el in root.iter(f"{SVG}rect", f"{SVG}text"):
            if el.tag == f"{SVG}rect":
                rects.append(el)
                continue
            x, y = float(el.get("x")), float(el.get("y")) - 0.3 * float(el.get("font-size"))
            under = [r for r in rects if float(r.get("x")) <= x <= float(r.get("x"))
                     + float(r.get("width")) and float(r.get("y")) <= y <= float(r.get("y"))
                     + float(r.get("height"))]
            background = under[-1].get("fill") if under else tujie.PAPER
            assert _contrast(el.get("fill"), background) >= 4.5, (el.text, el.get("fill"),
                                                                 background)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_png_is_1080_wide_and_drawn_with_cjk_fonts(sample_report):
    png = tujie.render_png(sample_report)
    width, height = _png_size(png)
    assert width == tujie.WIDTH and height > width
    assert png == tujie.render_png(sample_report)
    phone = tujie.render_png(sample_report, width=tujie.PHONE_WIDTH)
    assert _png_size(phone)[0] == tujie.PHONE_WIDTH


def test_the_page_embeds_the_tujie_with_its_figures_in_words(sample_report):
    page = html.render_html(sample_report)
    figure = page[page.index('<figure class="tujie">'):]
    alt = figure[figure.index('alt="') + 5:figure.index('"></figure>')]
    assert fmt_number(sample_report.figure("T3_NEW_TOTAL")) in alt and "行政复议" in alt
    assert 'class="tujie"' not in html.render_html(sample_report, fragment=True)
    assert 'class="tujie"' not in html.render_html(sample_report, draft=True)


def test_render_writes_the_svg_and_the_png(tmp_path, sample_report):
    from nianbao.model.jsonform import dumps

    source = tmp_path / "r.json"
    source.write_text(dumps(sample_report), encoding="utf-8")
    before = tmp_path / "before.json"
    before.write_text(dumps(dataclasses.replace(consistent(sample_report, 4),
                                                year=sample_report.year - 1)), encoding="utf-8")
    out = tmp_path / "out" / "报告.docx"
    run = CliRunner().invoke(cli, ["render", str(source), "-o", str(out), "--format",
                                   "docx,tujie", "--previous", str(before), "--draft"])
    assert run.exit_code == 0, run.output
    svg, png = out.with_name("报告-图解.svg"), out.with_name("报告-图解.png")
    assert svg.read_bytes().startswith(b"<svg") and _png_size(png.read_bytes())[0] == 1080
    assert b"data-previous" in svg.read_bytes()
    alone = tmp_path / "高凤镇-图解.svg"
    run = CliRunner().invoke(cli, ["render", str(source), "-o", str(alone)])
    assert run.exit_code == 0, run.output
    assert alone.exists() and (tmp_path / "高凤镇-图解.png").exists()
    assert formats.parse_formats("tujie") == ("tujie", "tujie-png")


def test_batch_draws_each_unit_and_the_round_and_removes_a_stale_round_picture(tmp_path):
    from nianbao.demo import run_demo

    run_demo(tmp_path / "demo")
    inbox, out = tmp_path / "demo" / "inbox", tmp_path / "result"
    run = CliRunner().invoke(cli, ["batch", str(inbox), "--out", str(out), "--formats",
                                   "docx,tujie", "--jobs", "1"])
    assert run.exit_code in (0, 1), run.output
    assert list((out / "reports").glob("*-图解.svg")) and list((out / "reports").glob("*-图解.png"))
    root = etree.fromstring((out / "汇总-图解.svg").read_bytes())
    data = [json.loads(p.read_text(encoding="utf-8")) for p in (out / "data").glob("*.json")]
    assert data
    shown = {t.get("data-code"): t.text for t in root.iter(f"{SVG}text") if t.get("data-code")}
    states = {k[6:]: v for k, v in shown.items() if k.startswith("STATE:")}
    assert sum(int(v.split()[0]) for v in states.values()) >= len(data)
    new = sum(Decimal(str(d["figures"].get("T3_NEW_TOTAL", 0))) for d in data)
    assert shown["T3_NEW_TOTAL"] == fmt_number(new)
    assert _png_size((out / "汇总-图解.png").read_bytes())[0] == 1080
    run = CliRunner().invoke(cli, ["batch", str(inbox), "--out", str(out), "--jobs", "1"])
    assert run.exit_code in (0, 1), run.output
    assert not (out / "汇总-图解.svg").exists() and not (out / "汇总-图解.png").exists()
    assert not list((out / "reports").glob("*-图解.*"))


@pytest.mark.office
def test_the_tujie_at_phone_and_desktop_width_in_chromium(sample_report, tmp_path):
    """The page's 图解 scales to the screen (390 px phone, 1366 px desktop) with no overflow."""
    from test_html import chromium_driver

    page = tmp_path / "report.html"
    page.write_text(html.render_html(sample_report), encoding="utf-8")
    for width in (1366, 390):
        driver = chromium_driver(width, 900)
        try:
            driver.get(page.as_uri())
            shown = driver.execute_script(
                "const i = document.querySelector('.tujie img');"
                "return [i.complete && i.naturalWidth, i.getBoundingClientRect().width,"
                " document.documentElement.scrollWidth, window.innerWidth];")
            driver.save_screenshot(str(tmp_path / f"tujie-{width}.png"))
        finally:
            driver.quit()
        natural, drawn, scroll, inner = shown
        assert natural == tujie.WIDTH and drawn <= inner and scroll <= inner, (width, shown)


def test_a_png_the_machine_cannot_draw_is_one_chinese_line_and_the_svg_stays(sample_report,
                                                                              tmp_path,
                                                                              monkeypatch):
    """Where resvg's system library is missing (a Windows older than 10), render says so in
    one line, exits 3, and the SVG it did write is there; no traceback, no exit 0."""
    import builtins

    from nianbao.model.jsonform import dumps

    real = builtins.__import__

    def no_resvg(name, *args, **kwargs):
        if name == "resvg_py":
            raise ImportError("DLL load failed while importing resvg_py")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_resvg)
    source = tmp_path / "r.json"
    source.write_text(dumps(sample_report), encoding="utf-8")
    out = tmp_path / "高凤镇-图解.svg"
    run = CliRunner().invoke(cli, ["render", str(source), "-o", str(out)])
    assert run.exit_code == 3 and "无法生成图解图片（PNG）" in run.output, run.output
    assert "Traceback" not in run.output and len(run.output.strip().splitlines()) <= 2
    assert out.exists() and not out.with_name("高凤镇-图解.png").exists()


def test_the_round_page_offers_each_units_tujie_and_draws_the_svg_only(round_copy):
    """serve draws the SVG (under a millisecond) for every unit that may publish and the round;
    the PNG (a quarter of a second each) is batch --formats tujie's."""
    from nianbao.serve import create_app
    from nianbao.serve.folder import RESULTS

    shutil.rmtree(round_copy / RESULTS)
    app = create_app(round_copy)
    folder = app.extensions["nianbao.folder"]
    folder.refresh()
    unit = "井研县高凤镇人民政府"
    assert folder.downloads(unit)["tujie"].endswith("-图解.svg")
    assert "tujie-png" not in folder.downloads(unit)
    page = app.test_client().get(f"/units/{unit}").get_data(as_text=True)
    assert "图解（SVG）" in page
    assert (round_copy / RESULTS / "汇总-图解.svg").exists()
    assert not (round_copy / RESULTS / "汇总-图解.png").exists()
