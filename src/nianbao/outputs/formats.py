"""The one registry of output formats: name → suffix, label, renderer, whether it needs
LibreOffice. ``render --format``, ``batch --formats``, serve's downloads and the unit page are
all made from it: adding a format is one entry here and a renderer that consumes the outline.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..model.report import Report


@dataclass(frozen=True)
class Options:
    """How to render: a draft mark, the HTML fragment, a reference .docx, substitute fonts."""

    draft: bool = False
    fragment: bool = False
    reference: bytes | None = None
    fonts: object | None = None  # outputs.docstyle.Fonts
    previous: Report | None = None  # last year's report: the 图解 shows its figures beside


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    label: str  # what a clerk is offered: 报告（Word）
    render: Callable[[Report, Options], bytes]
    needs_office: bool = False  # LibreOffice makes it (installed separately)
    #: formats always written with this one (the 图解's PNG beside its SVG)
    companions: tuple[str, ...] = ()


def _docx(report: Report, options: Options) -> bytes:
    from .docx import render_bytes

    return render_bytes(report, draft=options.draft, reference=options.reference,
                        fonts=options.fonts)  # type: ignore[arg-type]


def _html(report: Report, options: Options) -> bytes:
    from .html import render_bytes

    return render_bytes(report, draft=options.draft, fragment=options.fragment)


def _pdf(report: Report, options: Options) -> bytes:
    """LibreOffice's rendering of the report's .docx, with a face of the right class for each
    role where a statutory font is not installed (a reference .docx keeps its own fonts)."""
    from . import fontsub
    from .pdf import convert

    if _substitutes(options):
        options = dataclasses.replace(options, fonts=fontsub.for_pdf(options.fonts))  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory(prefix="nianbao-pdf-") as tmp:
        source = Path(tmp) / "report.docx"
        source.write_bytes(_docx(report, options))
        return convert(source, "pdf", Path(tmp) / "out").read_bytes()


def _tujie_svg(report: Report, options: Options) -> bytes:
    from .tujie import render_svg

    return render_svg(report, options.previous)


def _tujie_png(report: Report, options: Options) -> bytes:
    from .tujie import render_png

    return render_png(report, options.previous)


def _substitutes(options: Options) -> bool:
    """Whether the PDF replaces missing fonts: always, unless a reference .docx gives its own."""
    return options.reference is None or options.fonts is not None


def pdf_substitutions(options: Options) -> list[str]:
    """What the PDF of these options replaces (one phrase a role); empty when nothing."""
    from . import fontsub

    return fontsub.substitutions(options.fonts) if _substitutes(options) else []  # type: ignore[arg-type]


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("docx", ".docx", "报告（Word）", _docx),
    Format("html", ".html", "报告（网页）", _html),
    Format("pdf", ".pdf", "报告（PDF）", _pdf, needs_office=True),
    Format("tujie", "-图解.svg", "图解（SVG）", _tujie_svg, companions=("tujie-png",)),
    Format("tujie-png", "-图解.png", "图解（图片）", _tujie_png),
)}
DEFAULT = ("docx",)
#: What serve renders for every unit that may publish: the report, its page and its 图解 as
#: SVG (under a millisecond; its PNG, about a quarter of a second each, comes with
#: ``batch --formats tujie``; PDF needs LibreOffice).
SERVED = ("docx", "html", "tujie")


def names() -> tuple[str, ...]:
    return tuple(FORMATS)


def by_suffix(path: Path) -> str | None:
    """The format whose suffix ``path`` has (报告.pdf → pdf, 报告-图解.svg → tujie), or None."""
    name = path.name.lower()
    return next((f.name for f in sorted(FORMATS.values(), key=lambda f: -len(f.suffix))
                 if name.endswith(f.suffix) and len(name) > len(f.suffix)), None)


def parse_formats(text: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """"docx,html" → ("docx", "html"), in the order given, each once; ValueError names the rest."""
    allowed = names() if allowed is None else allowed
    wanted = tuple(dict.fromkeys(n.strip().lower() for n in text.split(",") if n.strip()))
    unknown = [n for n in wanted if n not in allowed]
    if unknown or not wanted:
        raise ValueError(f"未知的格式：{'、'.join(unknown) or text}（可用：{'、'.join(allowed)}）")
    return with_companions(wanted)


def with_companions(formats: tuple[str, ...]) -> tuple[str, ...]:
    """The formats and those always written with them (tujie → tujie, tujie-png)."""
    return tuple(dict.fromkeys(c for f in formats for c in (f, *FORMATS[f].companions)))


def targets(output: Path, formats: tuple[str, ...]) -> dict[str, Path]:
    """The first format gets ``output`` as given; the others its name with their suffix (the
    first's suffix replaced when it has it: 报告.docx → 报告.pdf; 报告.v1 → 报告.v1.pdf)."""
    first = FORMATS[formats[0]].suffix
    name = output.name
    base = output.with_name(name[:-len(first)]) if (
        name.lower().endswith(first) and len(name) > len(first)) else output
    return {f: output if i == 0 else base.with_name(base.name + FORMATS[f].suffix)
            for i, f in enumerate(formats)}


def write(report: Report, output: Path, formats: tuple[str, ...],
          options: Options = Options()) -> dict[str, Path]:
    """Every requested format rendered and written atomically; format → path."""
    from ..outfile import write_atomic

    paths = targets(Path(output), formats)
    for name, path in paths.items():
        write_atomic(path, FORMATS[name].render(report, options))
    return paths
