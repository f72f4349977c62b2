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


def _html(report: Report, draft: bool) -> bytes:
    from .html import render_bytes

    return render_bytes(report, draft=draft)


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    render: Callable[[Report, bool], bytes]


FORMATS = {f.name: f for f in (Format("docx", ".docx", _docx), Format("html", ".html", _html))}
DEFAULT = ("docx",)


def parse_formats(text: str, allowed: tuple[str, ...] = tuple(FORMATS)) -> tuple[str, ...]:
    """"docx,html" → ("docx", "html"), in the order given, each once; ValueError names the rest."""
    names = tuple(dict.fromkeys(n.strip().lower() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in allowed]
    if unknown or not names:
        raise ValueError(f"未知的格式：{'、'.join(unknown) or text}（可用：{'、'.join(allowed)}）")
    return names
