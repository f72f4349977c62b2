"""Input sources as a small registry: each sniffs the first bytes and reads its kind of file.

To add a kind of input, write a module with a ``SOURCE`` that has ``name``, ``emits``,
``claims(head, path)`` and ``read(path)``, and list it in :data:`SOURCES`.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import problem
from . import published, report_json, workbook
from .base import Reading, Source

#: Asked in order; the returned workbook comes last because it also names what nobody claims
#: (empty, encrypted, legacy, not a workbook at all).
SOURCES: tuple[Source, ...] = (report_json.SOURCE, *published.SOURCES, workbook.SOURCE)
HEAD = 512


def source_for(head: bytes, path: Path) -> Source:
    """The source that claims this file (the returned workbook when none does)."""
    return next((s for s in SOURCES if s.claims(head, path)), workbook.SOURCE)


def read(path: Path) -> Reading:
    """Read any supported file by its content, not its name (Office lock files ``~$…`` aside)."""
    path = Path(path)
    if path.name.startswith("~$"):
        raise problem("LOCK_FILE")
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD)
    except OSError as exc:
        raise problem("UNREADABLE", exc.strerror or str(exc)) from exc
    return source_for(head, path).read(path)


__all__ = ["SOURCES", "Reading", "Source", "read", "source_for"]
