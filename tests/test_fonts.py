"""The PDF's faces by role when the statutory fonts are missing: a 仿宋 for the body, a 黑体 for
一、 headings, a 楷体 for （一） headings, a 宋体/标宋 for the title, never a JP/TC/KR/HK face;
the .docx keeps naming the statutory fonts; the substitutions are said once."""

from __future__ import annotations

import ctypes
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import needs
from nianbao.cli import cli
from nianbao.outputs import docstyle, fontsub
from nianbao.outputs.formats import Options, write

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "nianbao" / "data" / "sample_gaofeng_2024.json"
#: The free faces .ci/run installs (fonts-arphic-gkai00mp and the Fandol faces of
#: texlive-lang-chinese) besides fonts-noto-cjk.
FREE = ("FandolFang", "FandolHei", "AR PL KaitiM GB", "FandolSong", "Noto Serif CJK SC")
#: A face's class by the names its PDF font carries.
CLASS_OF = {"Fang": "仿宋", "Hei": "黑体", "Sans CJK SC": "黑体", "Kai": "楷体", "Song": "宋体",
            "Serif CJK SC": "宋体", "Sungti": "宋体"}
OTHER_SCRIPTS = re.compile(r"CJK ?(JP|TC|KR|HK)|-(JP|TC|KR|HK)\b|Japan|Korea")


def test_no_candidate_is_a_japanese_or_traditional_face():
    for _, (_, candidates) in fontsub.CLASSES.items():
        for name in filter(None, candidates):
            assert not OTHER_SCRIPTS.search(name), name


def test_installed_statutory_fonts_are_kept():
    names = frozenset(getattr(docstyle.Fonts(), role) for role in fontsub.CLASSES)
    assert fontsub.for_pdf(None, names) == docstyle.Fonts()
    assert fontsub.substitutions(None, names) == []


def test_each_role_gets_its_own_class_and_a_neighbour_only_when_its_class_is_missing():
    fonts = fontsub.for_pdf(None, frozenset(FREE) | {"Noto Sans CJK JP", "Noto Serif CJK TC"})
    assert (fonts.title, fonts.body, fonts.heading1, fonts.heading2, fonts.page) == (
        "FandolSong", "FandolFang", "FandolHei", "AR PL KaitiM GB", "FandolSong")
    only_noto = frozenset({"Noto Serif CJK SC", "Noto Sans CJK SC", "Noto Sans CJK JP"})
    said = fontsub.substitutions(None, only_noto)
    assert "正文 仿宋_GB2312 → Noto Serif CJK SC（未找到仿宋类字体）" in said
    assert "一级标题 黑体 → Noto Sans CJK SC" in said
    nothing = fontsub.substitutions(None, frozenset({"Noto Sans CJK JP"}))
    assert all("未找到" in line for line in nothing) and len(nothing) == 5
    assert fontsub.for_pdf(None, frozenset()) == docstyle.Fonts()  # LibreOffice's own choice


def test_a_font_the_clerk_named_is_used_when_installed():
    fonts = docstyle.Fonts(body="华文仿宋")
    assert fontsub.for_pdf(fonts, frozenset({"华文仿宋", "FandolFang"})).body == "华文仿宋"
    assert fontsub.for_pdf(fonts, frozenset({"FandolFang"})).body == "FandolFang"


def test_windows_fonts_are_found_by_their_files(tmp_path, monkeypatch):
    fonts = tmp_path / "Windows" / "Fonts"
    fonts.mkdir(parents=True)
    for name in ("simfang.ttf", "SIMKAI.TTF", "simhei.ttf", "simsun.ttc"):
        (fonts / name).write_bytes(b"")
    monkeypatch.setenv("WINDIR", str(tmp_path / "Windows"))
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    found = fontsub._windows_families()
    assert {"仿宋", "楷体", "黑体", "宋体", "SimSun"} <= found
    chosen = fontsub.for_pdf(None, frozenset(found))
    assert (chosen.body, chosen.heading2, chosen.title) == ("仿宋", "楷体", "宋体")


def _faces_by_text(pdf: Path) -> list[tuple[str, str]]:
    """(text, font name) runs of the PDF's first two pages, as pdfium reads them."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    runs: list[tuple[str, str]] = []
    doc = pdfium.PdfDocument(str(pdf))
    buf = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    for index in range(min(2, len(doc))):
        page = doc[index].get_textpage()
        text = page.get_text_range()
        for i in range(raw.FPDFText_CountChars(page)):
            raw.FPDFText_GetFontInfo(page, i, buf, 256, ctypes.byref(flags))
            font = buf.value.decode("latin-1").split("+")[-1]
            if runs and runs[-1][1] == font:
                runs[-1] = (runs[-1][0] + text[i], font)
            else:
                runs.append((text[i], font))
    return runs


def _class(font: str) -> str:
    return next((c for key, c in CLASS_OF.items() if key in font), font)


@pytest.fixture(scope="module")
def made(sample_report, tmp_path_factory):
    needs("soffice")
    missing = [name for name in FREE if name not in fontsub.installed()]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"fonts missing in CI (installed by .ci/run): {missing}")
        pytest.skip(f"needs the free CJK faces .ci/run installs: {missing}")
    out = tmp_path_factory.mktemp("fonts") / "报告"
    return write(sample_report, out, ("docx", "pdf"), Options())


def test_the_pdf_sets_each_role_in_its_class(made):
    runs = _faces_by_text(made["pdf"])
    cjk = [(text.strip(), font) for text, font in runs if re.search(r"[\u4e00-\u9fff]", text)]

    def face(start: str) -> str:
        return next(_class(f) for t, f in cjk if t.startswith(start))

    assert face("井研县高凤镇人民政府") == "宋体"  # the title
    assert face("本报告由") == "仿宋"  # the body
    assert face("一、总体情况") == "黑体"
    assert face("（一）主动公开") == "楷体"
    fonts = {f for _, f in runs}
    assert not any(OTHER_SCRIPTS.search(f) for f in fonts), fonts


def test_pdffonts_lists_the_free_faces_and_no_japanese_one(made):
    listing = subprocess.run([needs("pdffonts"), str(made["pdf"])], capture_output=True, text=True,
                             timeout=60, check=True).stdout
    names = {line.split()[0].split("+")[-1] for line in listing.splitlines()[2:] if line.strip()}
    assert {_class(n) for n in names} >= {"仿宋", "黑体", "楷体", "宋体"}, names
    assert not any(OTHER_SCRIPTS.search(n) for n in names), names


def test_the_docx_keeps_the_statutory_fonts(made):
    with zipfile.ZipFile(made["docx"]) as zf:
        styles = zf.read("word/styles.xml").decode("utf-8")
    for name in ("方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"):
        assert f'w:eastAsia="{name}"' in styles
    assert "Fandol" not in styles


def test_render_says_the_substitutions_once(tmp_path, monkeypatch):
    monkeypatch.setattr(fontsub, "installed", lambda: frozenset(FREE))
    result = CliRunner().invoke(cli, ["render", str(SAMPLE), "-o", str(tmp_path / "报告.pdf")])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("PDF 字体") == 1
    assert "正文 仿宋_GB2312 → FandolFang" in result.stderr
    result = CliRunner().invoke(cli, ["render", str(SAMPLE), "-o", str(tmp_path / "报告.docx")])
    assert "PDF 字体" not in result.stderr
