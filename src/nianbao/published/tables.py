"""The three tables of a published report, read by their printed row labels.

Inside the part a table belongs to (二、三、四), each row is found by the words of its label
(``spec.T3_PRINTED_WORDS``, ``spec.T2_PRINTED_ROWS``), in the national order, so a label
wrapped over lines, numbered 1、 or （1）, spaced out as 规 章 or preceded by a header repeated
on a new page still finds its row, and a row left out is just absent.

Which figures are a row's is decided by what the file says of it. A table row of a web page or
a Word file carries its own cells. A PDF has only lines: the figures printed on a line belong
to the row whose label stands at the same height (the label's band), never to the next label in
reading order — a row printed blank keeps its blank cells instead of taking its neighbour's
figures. Figures that no label stands beside are not guessed at: :attr:`TableReader.unsure`
names them.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .. import spec
from ..model.values import MAX_NUMBER_TEXT
from ..spec.normalise import NUMBER_SHAPE, number_text
from .document import Cell, Row, compact, join


@dataclass(frozen=True)
class RowSpec:
    """A printed row: its key, the words its label has (any one), how many figures it has,
    and the code each figure is (``None``: a 2019 cell with no place in the 2021 model)."""

    key: str
    words: tuple[str, ...]
    codes: tuple[str | None, ...]


T3_ROWS = tuple(RowSpec(key, words, tuple(f"T3_{key}_{c}" for c, _ in spec.T3_COLUMNS))
                for key, words in spec.T3_PRINTED_WORDS.items())
T2_ROWS = tuple(RowSpec(key, words, codes) for key, words, codes in spec.T2_PRINTED_ROWS)
T2_2019_ROWS = tuple(RowSpec(f"2019_{i}", words, codes)
                     for i, (words, codes) in enumerate(spec.T2_2019_ROWS))
T4_CODES = tuple(f.code for f in spec.T4.figures)
_DASHES = {"-", "—", "–", "－", "/", "／", "\\", "——", "--", "无", "空"}
#: A PDF line whose label has two of 表三's column headers, or one of 表二's header cells, is a
#: header (repeated on a new page or not), never a row's label: 本年收费金额 is not 收费's row.
_T3_HEADERS = tuple(label for _, label in spec.T3_APPLICANTS)
_T2_HEADERS = tuple({compact(lab.text) for lab in spec.T2.labels
                     if any(o.row == lab.row and o.col > 0 for o in spec.T2.labels)}
                    | set(spec.T2_2019_HEADERS))
#: Pieces of a group label a PDF prints at the start of a row's lines (the merged cell's text
#: stands beside the middle rows of its group, broken where the cell is narrow: （六 / ）/ 其他
#: / 处理 beside 2.申请人逾期…).
_GROUP_PIECES = sorted({g[i:j] for group in spec.T3_GROUPS for g in [compact(group)]
                        for i in range(len(g)) for j in range(i + 2, len(g) + 1)},
                       key=len, reverse=True)
#: How far a PDF figure line may stand from its row's label, in rows: a figure line nearer to
#: the next row's label than to its own is not that row's.
MAX_ROW_GAP = 0.75


@dataclass(frozen=True)
class Printed:
    """A figure as printed: its value (``None``: printed blank) and where."""

    value: Decimal | None
    where: str


def number(text: str) -> Decimal | None:
    """A printed figure (thousands separators, full-width digits, spaces allowed); else None."""
    cleaned = number_text(text).replace("，", "").replace(",", "")
    for unit in ("万元", "件", "个", "次", "元"):
        if cleaned.endswith(unit) and len(cleaned) > len(unit):
            cleaned = cleaned[: -len(unit)]
            break
    if (len(cleaned) <= MAX_NUMBER_TEXT and NUMBER_SHAPE.match(cleaned)
            and not cleaned.endswith(".") and any(ch.isdigit() for ch in cleaned)):
        return Decimal(cleaned)  # bounded like every number nianbao reads (model.values)
    return None


def is_blank(text: str) -> bool:
    return not compact(text) or compact(text) in _DASHES


@dataclass
class Segment:
    """Label text and the figures printed after it on one line or table row; a PDF line's
    vertical extent (``top``, ``bottom``) when it has one."""

    label: str
    values: list[Printed]
    xs: list[float | None]
    table: bool
    page: int
    top: float | None = None
    bottom: float | None = None

    @property
    def figures(self) -> bool:
        return any(p.value is not None for p in self.values)


def segments(rows: Sequence[Row]) -> list[Segment]:
    """Each row cut into its label (leading text) and its figures (trailing numbers; in a table
    row, trailing blank cells too, when the row has a figure or is all blank after its label)."""
    out = []
    for row in rows:
        cells = list(row.cells)
        values: list[tuple[Cell, Decimal | None]] = []
        while cells:
            cell = cells[-1]
            value = number(cell.text)
            if value is None and not (row.table and is_blank(cell.text)):
                break
            values.append((cell, value))
            cells.pop()
        values.reverse()
        out.append(Segment(join(c.text for c in cells), [Printed(v, c.where) for c, v in values],
                           [c.x for c, _ in values], row.table, row.page, row.top, row.bottom))
    return out


@dataclass
class _Anchor:
    """Where a row's label was printed: the line its words stand on."""

    row: RowSpec
    line: int  # index of the segment
    buffer: str  # the label text read up to it


@dataclass
class TableReader:
    """Reads one table's rows by label: ``found`` key → (row, its segment or None when its
    label was printed with blank cells, its label text); ``unsure``: PDF lines of figures
    that stand beside no label."""

    specs: Sequence[RowSpec]
    found: dict[str, tuple[RowSpec, Segment | None, str]] = field(default_factory=dict)
    unsure: list[Segment] = field(default_factory=list)
    blank_at: dict[str, str] = field(default_factory=dict)

    def feed(self, segs: Sequence[Segment]) -> None:
        if any(s.top is not None for s in segs):
            self._feed_lines(list(segs))
        else:
            self._feed_rows(segs)

    def _feed_rows(self, segs: Sequence[Segment]) -> None:
        """Table rows (web page, Word): a row's own label decides its row; a label the file
        split from its figures (a paragraph above) is read up to the figures."""
        buffer = ""
        for seg in segs:
            label = compact(seg.label)
            buffer += label
            own = self._match(label) if seg.table and seg.values else None
            if own is None and not seg.figures:
                continue
            chosen = own or self._match(buffer)
            if chosen is not None:
                self.found[chosen.key] = (chosen, seg, buffer)
            buffer = ""

    def _match(self, text: str) -> RowSpec | None:
        for row in self.specs:
            if row.key not in self.found and any(w in text for w in row.words):
                return row
        return None

    def _feed_lines(self, segs: list[Segment]) -> None:
        """PDF lines: find each row's label in the national order, then give each line of
        figures to the label printed at its height: the nearest first, each label at most once,
        and never one further than most of a row away (those figures are unsure)."""
        anchors = self._anchors(segs)
        reach = MAX_ROW_GAP * _pitch([segs[a.line] for a in anchors])
        pairs = []
        for i, seg in enumerate(segs):
            if seg.figures:
                for a, anchor in enumerate(anchors):
                    gap = _gap(seg, segs[anchor.line])
                    if gap is not None and gap <= reach:
                        pairs.append((gap, abs(i - anchor.line), i, a))
        lines: dict[int, int] = {}  # figure line → anchor
        anchored: dict[int, int] = {}  # anchor → figure line
        for _, _, i, a in sorted(pairs):
            if i not in lines and a not in anchored:
                lines[i], anchored[a] = a, i
        for a, anchor in enumerate(anchors):
            own = segs[anchored[a]] if a in anchored else None
            self.found[anchor.row.key] = (anchor.row, own, anchor.buffer)
            if own is None:
                self.blank_at[anchor.row.key] = f"第{segs[anchor.line].page}页"
        self.unsure = [s for i, s in enumerate(segs) if s.figures and i not in lines]

    def _anchors(self, segs: list[Segment]) -> list[_Anchor]:
        """Each row's label, searched in the national order among the label lines of the
        table: from its first header line on (a sentence above the table that says 新收 is
        not the row), headers and the group labels beside the rows left out."""
        first = next((i for i, s in enumerate(segs) if _is_header(compact(s.label))), 0)
        pieces: list[tuple[int, str]] = []  # (segment, label text) of every label line
        for i, seg in enumerate(segs[first:], start=first):
            label = _without_group(compact(seg.label))
            if label and not _is_header(label):
                pieces.append((i, label))
        text = "".join(p for _, p in pieces)
        owner: list[int] = []  # the segment of each character
        ends: list[int] = []  # where the line of each character ends in the text
        for i, piece in pieces:
            owner += [i] * len(piece)
            ends += [len(owner)] * len(piece)
        anchors: list[_Anchor] = []
        cursor = 0
        for row in self.specs:
            hits = sorted((m.start(), m.end()) for w in row.words
                          for m in re.finditer(re.escape(w), text[cursor:]))
            # a word on a line another row's label already holds (the group label printed beside
            # 2.申请人逾期…) is that line's group label, unless it is the only one
            held = {a.line for a in anchors}
            free = [h for h in hits if owner[cursor + h[0]] not in held]
            if hits:
                start, end = (free or hits)[0]
                at = cursor + start
                anchors.append(_Anchor(row, owner[at], text[cursor:ends[at]]))
                cursor += end
        return anchors

    def figures(self, centres: list[float] | None = None) -> dict[str, Printed]:
        out: dict[str, Printed] = {}
        for row, seg, _ in self.found.values():
            if seg is None:
                values = [Printed(None, self.blank_at[row.key])] * len(row.codes)
            else:
                values = _align(seg, len(row.codes), centres)
            for code, printed in zip(row.codes, values, strict=True):
                if code is not None:
                    out[code] = printed
        return out


def _is_header(label: str) -> bool:
    return sum(w in label for w in _T3_HEADERS) >= 2 or any(w in label for w in _T2_HEADERS)


def _without_group(label: str) -> str:
    """A PDF line's label without the piece of a group label it opens with, unless that is all
    the line has (the 2019 form prints group （六） as one row of its own)."""
    for _ in range(2):
        piece = next((p for p in _GROUP_PIECES if label.startswith(p) and len(label) > len(p)),
                     None)
        if piece is None:
            break
        label = label[len(piece):]
    return label


def _gap(figures: Segment, label: Segment) -> float | None:
    """How far apart two PDF lines stand, in points (0: they overlap); None across pages."""
    if (figures.page != label.page or figures.top is None or figures.bottom is None
            or label.top is None or label.bottom is None):
        return None
    return max(label.bottom - figures.top, figures.bottom - label.top, 0.0)


def _pitch(labels: list[Segment]) -> float:
    """A table row's height on the page: the median step from one row's label to the next
    (three line heights when there are too few labels to tell)."""
    steps = [a.top - b.top for a, b in zip(labels, labels[1:], strict=False)
             if a.page == b.page and a.top is not None and b.top is not None and a.top > b.top]
    if steps:
        return statistics.median(steps)
    heights = [s.top - s.bottom for s in labels if s.top is not None and s.bottom is not None]
    return 3 * max(heights, default=12.0)


def _align(seg: Segment, n: int, centres: list[float] | None) -> list[Printed]:
    """The segment's figures in the row's n columns: in order when all are there (the last n
    when more), by horizontal place when a PDF row has fewer (blank cells print nothing), else
    against the right edge (a 2019 row's 处理决定数量 is its last column)."""
    values = seg.values
    if len(values) >= n:
        return list(values[-n:])
    xs = seg.xs
    if centres and len(centres) == n and all(x is not None for x in xs):
        placed: list[Printed | None] = [None] * n
        for printed, x in zip(values, xs, strict=True):
            col = min(range(n), key=lambda c: abs(centres[c] - x))  # type: ignore[operator]
            if placed[col] is None:
                placed[col] = printed
        page = values[0].where if values else f"第{seg.page}页"
        return [p if p is not None else Printed(None, page) for p in placed]
    blank_where = values[0].where if values else f"第{seg.page}页"
    return [Printed(None, blank_where)] * (n - len(values)) + list(values)


def column_centres(segs: Sequence[Segment], n: int) -> list[float] | None:
    """Where each of the n figure columns stands on the page, from the rows that print all n."""
    full = [[x for x in s.xs if x is not None] for s in segs if len(s.values) == n]
    full = [xs for xs in full if len(xs) == n]
    if not full:
        return None
    return [statistics.median(xs[c] for xs in full) for c in range(n)]


def read_t4(segs: Sequence[Segment]) -> tuple[dict[str, Printed], list[Segment]]:
    """The fifteen figures of table 四 in the national order, from the rows that print them;
    a PDF that prints fewer than fifteen (blank cells print nothing) does not say which
    columns they are in: those lines are returned as unsure, nothing is guessed."""
    values: list[Printed] = []
    lines: list[Segment] = []
    for seg in segs:
        if seg.figures or (seg.table and len(seg.values) >= 5):
            values.extend(seg.values)
            lines.append(seg)
    n = len(T4_CODES)
    if lines and lines[0].top is not None and 0 < len(values) < n:
        return {}, lines
    return {code: p for code, p in zip(T4_CODES, values[-n:] if len(values) > n else values,
                                       strict=False)}, []
