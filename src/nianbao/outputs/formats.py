"""The output formats a report can be rendered to: name → file suffix and renderer.

Adding a format (HTML, plain text) is one entry here and a renderer that consumes the outline;
``render`` and ``batch`` offer every format listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..model.report import Report


def _docx(report: Report, draft: bool) -> bytes:
    from .docx import render_bytes

    return render_bytes(report, draft=draft)


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    render: Callable[[Report, bool], bytes]


FORMATS = {f.name: f for f in (Format("docx", ".docx", _docx),)}
DEFAULT = ("docx",)
