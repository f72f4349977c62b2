"""图解: the report's figures as one picture for the 公开专栏 and WeChat, made from the same
figures as the report, in the national format's own terms.

The SVG is the source: text stays text (searchable, selectable), each figure a ``<text>`` with
the contract code it shows (``data-code``), ``<title>`` and ``<desc>`` (the figures in words),
``lang="zh-CN"``, fonts named by role with CJK fallbacks, no external reference, the same bytes
for the same report. The PNG is that SVG rasterised at 1080 px wide by resvg (``resvg-py``:
a Rust renderer with wheels for Windows and manylinux, no system library to install), with the
fonts the PDF path uses. Every chart prints its figures as labels (nothing is read from colour
alone) and every colour pair meets WCAG AA.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from .. import spec
from ..errors import ConversionError
from ..model.report import Report
from ..model.values import fmt_number
from . import fontsub, outline

WIDTH = 1080
PHONE_WIDTH = 390
MARGIN = 48
INNER = WIDTH - 2 * MARGIN
#: Fonts by role: the faces of the PDF path's class for the role (outputs/fontsub.py), in its
#: order of preference, then the generic family.
_ROLE_CLASSES = {"title": ("title", "serif"), "heading": ("heading1", "sans-serif"),
                 "body": ("body", "serif")}
FONTS = {role: ", ".join([*(f'"{name}"' for name in fontsub.CLASSES[cls][1] if name), generic])
         for role, (cls, generic) in _ROLE_CLASSES.items()}
#: Colours: text on its background, every pair ≥ 4.5:1 (tests/test_tujie.py measures them).
INK, MUTED, PAPER, BAND, BAND_INK, CARD, BAR, ACCENT = (
    "#1a1a1a", "#4a5361", "#ffffff", "#1f3a5f", "#ffffff", "#eef2f7", "#2f6db5", "#8a4b08")


@dataclass
class _Canvas:
    """SVG elements top to bottom; ``y`` the next free line."""

    parts: list[str] = field(default_factory=list)
    y: float = 0.0

    def rect(self, x: float, y: float, w: float, h: float, fill: str, rx: int = 0) -> None:
        self.parts.append(f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" rx="{rx}" '
                          f'fill="{fill}"/>')

    def text(self, x: float, y: float, text: str, *, size: float, role: str = "body",
             fill: str = INK, anchor: str = "start", weight: str = "normal",
             code: str = "", codes: tuple[str, ...] = (), previous: str = "") -> None:
        """``code``: the figure the text shows; ``codes``: the figures it is the sum of;
        ``previous``: the figure of last year's report it shows."""
        code_attr = (f' data-code="{code}"' if code else "") + (
            f' data-sum="{" ".join(codes)}"' if codes else "") + (
            f' data-previous="{previous}"' if previous else "")
        self.parts.append(
            f'<text x="{x:g}" y="{y:g}" font-size="{size:g}" class="{role}" fill="{fill}" '
            f'text-anchor="{anchor}" font-weight="{weight}"{code_attr}>{escape(text)}</text>')


def _shown(value: Decimal) -> str:
    return fmt_number(value)


def _fit(text: str, width: float, size: float) -> float:
    """The largest size up to ``size`` at which ``text`` fits ``width`` (digits ½ em)."""
    return min(size, width / max(outline.text_width(text), 0.5))


def _lines(text: str, unit: str, chars: float) -> list[str]:
    """The title in lines of at most ``chars`` characters, broken only where words end."""
    lines: list[str] = []
    for piece in outline.title_pieces(text, unit):
        if lines and outline.text_width(lines[-1] + piece) <= chars:
            lines[-1] += piece
        else:
            lines.append(piece)
    return lines


def _label(code: str) -> str:
    return spec.FIGURES[code].short


def _stat(c: _Canvas, report: Report, previous: Report | None, x: float, y: float, w: float,
          code: str, label: str, unit: str = "件") -> None:
    """One headline figure in a card: the label, the figure, last year's beside it."""
    c.rect(x, y, w, 150, CARD, rx=12)
    c.text(x + w / 2, y + 40, label, size=_fit(label, w - 24, 26), role="heading",
           anchor="middle")
    value = _shown(report.figure(code))
    c.text(x + w / 2, y + 100, value, size=_fit(value + "   ", w - 24, 52), role="heading",
           anchor="middle", weight="bold", code=code)
    c.text(x + w / 2, y + 100 + 34, unit, size=20, fill=MUTED, anchor="middle")
    if previous is not None:
        c.text(x + w - 14, y + 30, f"上年 {_shown(previous.figure(code))}", size=18, fill=MUTED,
               anchor="end", previous=code)


def _row(c: _Canvas, report: Report, previous: Report | None, y: float,
         items: list[tuple[str, str, str]]) -> float:
    gap = 20
    w = (INNER - gap * (len(items) - 1)) / len(items)
    for i, (code, label, unit) in enumerate(items):
        _stat(c, report, previous, MARGIN + i * (w + gap), y, w, code, label, unit)
    return y + 150 + 24


def _heading(c: _Canvas, text: str) -> None:
    c.rect(MARGIN, c.y, 10, 40, BAND)
    c.text(MARGIN + 24, c.y + 31, text, size=32, role="heading", weight="bold")
    c.y += 64


def _bars(c: _Canvas, report: Report, rows: Sequence[tuple[str, str, tuple[str, ...]]],
          total: Decimal, shares: bool) -> None:
    """Horizontal bars, each with its label and figure (and share) written beside it."""
    label_w, value_w = 300, 230
    bar_w = INNER - label_w - value_w
    biggest = max((sum((report.figure(k) for k in codes), Decimal(0)) for _, _, codes in rows),
                  default=Decimal(0))
    for _, label, codes in rows:
        value = sum((report.figure(k) for k in codes), Decimal(0))
        c.text(MARGIN, c.y + 30, label, size=_fit(label, label_w - 16, 26))
        length = 0.0 if biggest == 0 else float(value / biggest) * bar_w
        c.rect(MARGIN + label_w, c.y + 8, max(length, 2.0), 28, BAR, rx=4)
        shown = _shown(value)
        c.text(MARGIN + label_w + max(length, 2.0) + 12, c.y + 31, shown, size=26,
               role="heading", weight="bold", code=codes[0] if len(codes) == 1 else "",
               codes=codes if len(codes) > 1 else ())
        if shares and total > 0:
            share = f"{(value / total * 100).quantize(Decimal('0.1'))}%"
            c.text(WIDTH - MARGIN, c.y + 31, share, size=22, fill=MUTED, anchor="end")
        c.y += 44


def _applications(c: _Canvas, report: Report, previous: Report | None) -> None:
    _heading(c, "依申请公开")
    if all(report.figure(f"T3_{r}_TOTAL") == 0 for r in ("NEW", "CARRIED_IN",
                                                             "CARRIED_FORWARD")):
        c.rect(MARGIN, c.y, INNER, 120, CARD, rx=12)
        c.text(WIDTH / 2, c.y + 72, "本年度未收到政府信息公开申请", size=34, role="heading",
               anchor="middle", code="T3_NEW_TOTAL")
        c.y += 144
        return
    c.y = _row(c, report, previous, c.y, [
        ("T3_NEW_TOTAL", _label("T3_NEW_TOTAL"), "件"),
        ("T3_CARRIED_IN_TOTAL", _label("T3_CARRIED_IN_TOTAL"), "件"),
        ("T3_CARRIED_FORWARD_TOTAL", _label("T3_CARRIED_FORWARD_TOTAL"), "件")])
    c.text(MARGIN, c.y + 26, "申请人", size=26, role="heading", fill=MUTED)
    c.y += 40
    _bars(c, report, [(f"T3_NEW_{k}", label, (f"T3_NEW_{k}",)) for k, label in
                      spec.T3_APPLICANTS], report.figure("T3_NEW_TOTAL"), shares=False)
    c.y += 16
    c.text(MARGIN, c.y + 26, "办理结果（件数，占办理总数）", size=26, role="heading", fill=MUTED)
    c.y += 40
    _bars(c, report, _result_rows(), report.figure("T3_TOTAL_TOTAL"), shares=True)
    c.y += 16


@functools.cache
def _result_rows() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """The two rows of 表三 that grant, then each group of its result rows as one bar."""
    rows: list[tuple[str, str, tuple[str, ...]]] = []
    for key in ("GRANTED", "PARTIAL"):
        label = spec.FIGURES[f"T3_{key}_TOTAL"].row_name.split("（区分")[0]
        rows.append((f"T3_{key}_TOTAL", label[3:], (f"T3_{key}_TOTAL",)))
    for group in spec.T3_GROUPS:
        keys = tuple(f"T3_{k}_TOTAL" for k in spec.T3_GROUP_ROWS[group])
        rows.append((f"GROUP:{group[3:]}", group[3:], keys))
    return tuple(rows)


def _proceedings(c: _Canvas, report: Report, previous: Report | None) -> None:
    _heading(c, "行政复议、行政诉讼")
    label_w = 360
    col_w = (INNER - label_w) / len(spec.T4_COLUMNS)
    c.rect(MARGIN, c.y, INNER, 48, CARD, rx=8)
    for i, (_, name) in enumerate(spec.T4_COLUMNS):
        c.text(MARGIN + label_w + col_w * (i + 0.5), c.y + 33, name, size=24, role="heading",
               anchor="middle")
    c.y += 60
    for gkey, gname in spec.T4_GROUPS:
        c.text(MARGIN, c.y + 32, gname, size=_fit(gname, label_w - 16, 26))
        for i, (ckey, _) in enumerate(spec.T4_COLUMNS):
            code = f"T4_{gkey}_{ckey}"
            value = _shown(report.figure(code))
            c.text(MARGIN + label_w + col_w * (i + 0.5), c.y + 32, value,
                   size=_fit(value, col_w - 12, 30), role="heading", anchor="middle",
                   weight="bold" if ckey == "TOTAL" else "normal", code=code)
        c.y += 48
    c.y += 16


def _proactive(c: _Canvas, report: Report, previous: Report | None) -> None:
    _heading(c, "主动公开")
    for key in ("REG", "NORM"):
        name = spec.FIGURES[f"T2_{key}_ISSUED"].row_name
        c.text(MARGIN, c.y + 28, name, size=28, role="heading", fill=MUTED)
        c.y += 44
        c.y = _row(c, report, previous, c.y, [
            (f"T2_{key}_ISSUED", "本年制发", "件"), (f"T2_{key}_REPEALED", "本年废止", "件"),
            (f"T2_{key}_INFORCE", "现行有效", "件")])
    c.y = _row(c, report, previous, c.y, [(code, _label(code), "件") for code in
                                          ("T2_LICENSE", "T2_PENALTY", "T2_COERCION")])
    c.y = _row(c, report, previous, c.y, [("T2_FEES", spec.FIGURES["T2_FEES"].row_name, "万元")])


def description(report: Report) -> str:
    """The figures in words: the SVG's <desc> and the web page's text alternative."""
    f = report.figure
    parts = [f"{outline.clean(report.unit)}{report.year}年政府信息公开工作年度报告图解。主动公开："]
    for key in ("REG", "NORM"):
        name = spec.FIGURES[f"T2_{key}_ISSUED"].row_name
        parts.append(f"{name}本年制发{_shown(f(f'T2_{key}_ISSUED'))}件、本年废止"
                     f"{_shown(f(f'T2_{key}_REPEALED'))}件、现行有效{_shown(f(f'T2_{key}_INFORCE'))}件；")
    parts.append("；".join(f"{_label(c)}{_shown(f(c))}件" for c in
                           ("T2_LICENSE", "T2_PENALTY", "T2_COERCION"))
                 + f"；{spec.FIGURES['T2_FEES'].row_name}{_shown(f('T2_FEES'))}万元。依申请公开：")
    parts.append(f"{_label('T3_NEW_TOTAL')}{_shown(f('T3_NEW_TOTAL'))}件，"
                 f"{_label('T3_CARRIED_IN_TOTAL')}{_shown(f('T3_CARRIED_IN_TOTAL'))}件，"
                 f"{_label('T3_CARRIED_FORWARD_TOTAL')}{_shown(f('T3_CARRIED_FORWARD_TOTAL'))}件；"
                 "办理结果：")
    parts.append("、".join(f"{label}{_shown(sum((f(k) for k in keys), Decimal(0)))}件"
                           for _, label, keys in _result_rows()) + "。")
    for gkey, gname in spec.T4_GROUPS:
        parts.append(f"{gname}：" + "、".join(f"{name}{_shown(f(f'T4_{gkey}_{ckey}'))}件"
                                             for ckey, name in spec.T4_COLUMNS) + "。")
    return "".join(parts)


def render_svg(report: Report, previous: Report | None = None) -> bytes:
    """The 图解 of a report (with last year's headline figures beside this year's when known)."""
    c = _Canvas()
    unit = outline.clean(report.unit)  # untrusted: no control or bidirectional characters
    title_lines = _lines(f"{unit}{report.year}年", unit, INNER / 46)
    band = 64 + 58 * len(title_lines) + 90
    c.rect(0, 0, WIDTH, band, BAND)
    y = 80.0
    for line in title_lines:
        c.text(WIDTH / 2, y, line, size=46, role="title", fill=BAND_INK, anchor="middle")
        y += 58
    c.text(WIDTH / 2, y + 4, "政府信息公开工作年度报告 图解", size=38, role="title", fill=BAND_INK,
           anchor="middle")
    c.y = band + 40
    _proactive(c, report, previous)
    _applications(c, report, previous)
    _proceedings(c, report, previous)
    note = "数据来源：本机关政府信息公开工作年度报告" + (
        f"；“上年”为{report.year - 1}年度报告的数字" if previous is not None else "")
    c.text(MARGIN, c.y + 24, note, size=20, fill=MUTED)
    return _document(c, f"{unit}{report.year}年政府信息公开工作年度报告图解",
                     description(report))


def _document(c: _Canvas, title: str, desc: str) -> bytes:
    """The canvas as an SVG file: its title and description, the role fonts, a white page."""
    height = int(c.y + 56)
    style = "".join(f".{role}{{font-family:{family}}}" for role, family in FONTS.items())
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" lang="zh-CN" xml:lang="zh-CN" '
            f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" '
            f'aria-labelledby="tujie-title tujie-desc">'
            f'<title id="tujie-title">{escape(title)}</title>'
            f'<desc id="tujie-desc">{escape(desc)}</desc><style>{style}</style>')
    body = f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="{PAPER}"/>' + "".join(
        c.parts)
    return (head + body + "</svg>\n").encode("utf-8")


def render_png(report: Report, previous: Report | None = None, width: int = WIDTH) -> bytes:
    """The SVG rasterised at ``width`` px (1080: what WeChat articles and CMS editors expect)."""
    return rasterise(render_svg(report, previous), width)


def alt_text(report: Report) -> str:
    return quoteattr(description(report))[1:-1]


#: The round's headline totals (over the units without errors).
ROUND_CODES = ("T3_NEW_TOTAL", "T3_CARRIED_IN_TOTAL", "T3_CARRIED_FORWARD_TOTAL",
               "T4_REVIEW_TOTAL", "T4_SUIT_DIRECT_TOTAL", "T4_SUIT_AFTER_REVIEW_TOTAL",
               "T2_REG_ISSUED", "T2_NORM_ISSUED", "T2_LICENSE", "T2_PENALTY", "T2_COERCION",
               "T2_FEES")


def render_round_svg(year: int | None, states: list[tuple[str, int]],
                     totals: dict[str, Decimal], clean: int) -> bytes:
    """The county's 图解 of a round: units by 状态, and the totals of the ``clean`` units
    without errors (the figures 汇总.xlsx totals the same way)."""
    c = _Canvas()
    band = 200
    c.rect(0, 0, WIDTH, band, BAND)
    heading = f"{year}年度" if year else "本轮"
    c.text(WIDTH / 2, 88, f"{heading}政府信息公开工作年度报告", size=44, role="title",
           fill=BAND_INK, anchor="middle")
    c.text(WIDTH / 2, 146, "报送情况 图解", size=38, role="title", fill=BAND_INK, anchor="middle")
    c.y = band + 40
    _heading(c, "各单位报送状态")
    biggest = max((n for _, n in states), default=0)
    for state, n in states:
        c.text(MARGIN, c.y + 30, state, size=26)
        length = 0.0 if biggest == 0 else n / biggest * (INNER - 460)
        c.rect(MARGIN + 300, c.y + 8, max(length, 2.0), 28, BAR, rx=4)
        c.text(MARGIN + 300 + max(length, 2.0) + 12, c.y + 31, f"{n} 个单位", size=26,
               role="heading", weight="bold", code=f"STATE:{state}")
        c.y += 44
    c.y += 16
    _heading(c, f"未发现错误的 {clean} 个单位合计")
    gap, per_row = 20, 3
    w = (INNER - gap * (per_row - 1)) / per_row
    for i, code in enumerate(ROUND_CODES):
        if i and i % per_row == 0:
            c.y += 150 + 24
        x = MARGIN + (i % per_row) * (w + gap)
        c.rect(x, c.y, w, 150, CARD, rx=12)
        label = spec.FIGURES[code].short
        c.text(x + w / 2, c.y + 40, label, size=_fit(label, w - 24, 24), role="heading",
               anchor="middle")
        value = _shown(totals.get(code, Decimal(0)))
        c.text(x + w / 2, c.y + 100, value, size=_fit(value + "   ", w - 24, 48),
               role="heading", anchor="middle", weight="bold", code=code)
        c.text(x + w / 2, c.y + 134, "万元" if code == "T2_FEES" else "件", size=20, fill=MUTED,
               anchor="middle")
    c.y += 150 + 16
    c.text(MARGIN, c.y + 24, "数据来源：本轮汇总.xlsx（有错误的单位不计入合计）", size=20, fill=MUTED)
    title = f"{heading}政府信息公开工作年度报告报送情况图解"
    desc = ("；".join(f"{s}{n}个单位" for s, n in states) + f"。未发现错误的{clean}个单位合计："
            + "、".join(f"{spec.FIGURES[k].short}{_shown(totals.get(k, Decimal(0)))}"
                        for k in ROUND_CODES) + "。")
    return _document(c, title, desc)


def rasterise(svg: bytes, width: int = WIDTH) -> bytes:
    """An SVG of nianbao's as PNG, ``width`` px wide, drawn with the faces of the roles' classes
    installed here (the PDF path's fonts); only those are loaded, not every system font."""
    try:
        import resvg_py
    except ImportError as exc:  # a system library it needs is missing (bcryptprimitives.dll
        # comes with Windows 10 and 11)
        raise ConversionError(f"无法生成图解图片（PNG）：本机缺少所需的系统组件（{exc}）；SVG 图解不受影响，"
                              "可在 Windows 10/11 或 Linux 上生成 PNG") from exc
    faces = tuple(f for role in FONTS for f in _first_installed(role))
    try:
        return bytes(resvg_py.svg_to_bytes(
            svg_string=svg.decode("utf-8"), width=width, background=PAPER,
            skip_system_fonts=bool(faces), font_files=list(faces) or None,
            font_family=fontsub.for_pdf(None).body))
    except ValueError as exc:
        raise ConversionError(f"无法生成图解图片（PNG）：{exc}") from exc


@functools.cache
def _first_installed(role: str) -> tuple[str, ...]:
    """The files of the first face of the role's list installed here (the one a renderer
    picks from the list), so that a PNG loads three faces, not every font of the system."""
    names = (name.strip().strip('"') for name in FONTS[role].split(","))
    for name in names:
        found = fontsub.files((name,))
        if found:
            return found
    return ()
