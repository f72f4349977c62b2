"""A published report as the parser sees it, whatever it was printed in: rows of cells.

A PDF gives one row per printed line (its words are the cells, with their horizontal place);
a web page or a Word file gives one row per paragraph (one cell) and one per table row (its
cells, as marked up). Every cell knows where it was printed, in words a reader can find.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..spec.normalise import INVISIBLE


@dataclass(frozen=True)
class Cell:
    """Printed text at a place. ``x``: the horizontal centre on a PDF page, in points."""

    text: str
    where: str
    x: float | None = None


@dataclass(frozen=True)
class Row:
    """A printed line (PDF), a paragraph, or a table row (``table`` set; ``cells`` as marked
    up, merged cells once). ``starts``: this line begins a paragraph (a PDF line's indent)."""

    cells: tuple[Cell, ...]
    table: bool = False
    starts: bool = True
    page: int = 0
    image: bool = False  # a picture stands here (web page, Word file)
    #: A PDF line's vertical extent on its page, in points from the bottom (else None).
    top: float | None = None
    bottom: float | None = None

    @property
    def text(self) -> str:
        return join(c.text for c in self.cells)


@dataclass
class Document:
    """The rows in reading order; ``title``: the web page's own title, when it has one."""

    kind: str
    rows: list[Row] = field(default_factory=list)
    title: str = ""
    #: PDF pages that carry a picture (a table printed as an image, a scanned page).
    image_pages: set[int] = field(default_factory=set)


_SPACE_RUN = re.compile(f"[{re.escape(INVISIBLE)}]+")
#: A space between two characters that are not both Latin letters or digits is an accident of
#: layout (a line wrapped, a span split, words spaced out as 规 章), not part of the text.
_LOOSE_SPACE = re.compile(r"(?<![A-Za-z0-9]) (?=.)|(?<=.) (?![A-Za-z0-9])")


def tidy(text: str) -> str:
    """Printed text as one line: runs of any space become one, and a space is kept only
    between Latin words and digits (``2023 年`` → ``2023年``, ``规 章`` → ``规章``)."""
    text = _SPACE_RUN.sub(" ", text).strip()
    return _LOOSE_SPACE.sub("", text)


def join(pieces) -> str:
    return tidy(" ".join(pieces))


def compact(text: str) -> str:
    """Text with every space removed, for matching labels."""
    return _SPACE_RUN.sub("", text)
