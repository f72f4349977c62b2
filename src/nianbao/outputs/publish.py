"""Write a report in several formats at once, named after one output path: 报告.docx beside
报告.html and 报告.pdf; the PDF is LibreOffice's rendering of the .docx."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..model.report import Report
from ..outfile import write_atomic
from . import docstyle, docx, html
from .pdf import to_pdf

SUFFIX = {"docx": ".docx", "html": ".html", "pdf": ".pdf"}


def targets(output: Path, formats: tuple[str, ...]) -> dict[str, Path]:
    """The first format gets ``output`` as given; the others its name with their suffix (the
    first's suffix replaced when it has it: 报告.docx → 报告.pdf; 报告.v1 → 报告.v1.pdf)."""
    first = SUFFIX[formats[0]]
    base = output.with_suffix("") if output.suffix.lower() == first else output
    return {f: output if i == 0 else base.with_name(base.name + SUFFIX[f])
            for i, f in enumerate(formats)}


def write(report: Report, output: Path, formats: tuple[str, ...], *, draft: bool = False,
          fragment: bool = False, reference: bytes | None = None,
          fonts: docstyle.Fonts | None = None) -> dict[str, Path]:
    """Write every requested format atomically; returns format → path."""
    paths = targets(Path(output), formats)
    if "docx" in paths:
        docx.render(report, paths["docx"], draft=draft, reference=reference, fonts=fonts)
    if "html" in paths:
        write_atomic(paths["html"], html.render_bytes(report, draft=draft, fragment=fragment))
    if "pdf" in paths:
        if "docx" in paths:
            made = to_pdf(paths["docx"])
            if made != paths["pdf"]:
                made.replace(paths["pdf"])
        else:
            with tempfile.TemporaryDirectory(prefix="nianbao-pdf-") as tmp:
                source = Path(tmp) / (paths["pdf"].stem + ".docx")
                docx.render(report, source, draft=draft, reference=reference, fonts=fonts)
                write_atomic(paths["pdf"], to_pdf(source).read_bytes())
    return paths
