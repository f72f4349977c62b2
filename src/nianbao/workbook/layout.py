"""Where every code sits in the workbook: the one place that computes a cell address."""

from __future__ import annotations

from .. import spec
from ..spec.expr import Cell

GUIDE = "填表说明"
INFO = "基本信息"
TEXT = "正文"
PANEL = "校验"
NOTES = "情况说明"
#: The first sheet of a returned copy (退回件): the county's findings with links to the cells.
#: Not part of the template: never read back, never an EXTRA_SHEET.
REVIEW = "审核意见"
#: Very hidden: what the rules read — every figure as a number (a number typed as text read
#: the way validate reads it) and every text field normalised — so totals, panel lines and
#: highlights agree with validate. Locked content, covered by the fingerprint.
CALC = "_calc"
META = "_meta"
SHEETS = (GUIDE, INFO, TEXT, *(t.name for t in spec.TABLES), PANEL, NOTES, CALC)
VISIBLE_SHEETS = SHEETS[:-1]
#: What the reader reads and the fingerprint covers: the sheets whose labels, names and
#: formulas decide what validate reads. The guide, the panel and the calc sheet are derived
#: wholly from the spec and only speak to the clerk (validate recomputes everything), so an
#: edit there cannot change the county's verdict; they are not read back, which keeps
#: reading a return fast.
READ_SHEETS = (INFO, TEXT, *(t.name for t in spec.TABLES), NOTES)
UNREAD_SHEETS = frozenset(SHEETS) - frozenset(READ_SHEETS)

#: Every sheet shows the workbook's verdict at its top: label in A1, status in B1.
BANNER_ROW = 0
TITLE_ROW = 1
GRID_TOP = 2
FIELD_TOP = 3
STATUS = Cell(PANEL, BANNER_ROW, 1)
STATUS_NAME = "CHECK_STATUS"
#: The panel: the count and the first failing lines at the top, then every line.
PANEL_FIRST = 5
PANEL_COUNT_ROW = 2
PANEL_HEADER = PANEL_COUNT_ROW + PANEL_FIRST + 2
PANEL_TOP = PANEL_HEADER + 1
PANEL_COLUMNS = ("序号", "检查内容", "结果", "规则")
RESULT_COL = 2

#: Rows of each table's mirror on the calc sheet; number-text helpers 20 columns to the right.
_MIRROR = {"T2": 0, "T3": 20, "T4": 60}
_TEXT_TOP = 80
TEXT_FORMS = ("visible", "marks", "bare")
TYPED_OFFSET = 20
#: A hidden column on every sheet with highlights: one cell per panel line involving the sheet,
#: TRUE while the line fails (a conditional format reads only its own sheet).
HELPER_COL = 40
#: Running count of failing panel lines (calc sheet, column A from this row).
FAIL_TOP = 100


def table_cell(table: spec.Table, row: int, col: int) -> Cell:
    """A position in a statutory table's grid → its worksheet cell."""
    return Cell(table.name, GRID_TOP + row, col)


def _build() -> dict[str, Cell]:
    cells: dict[str, Cell] = {}
    for table in spec.TABLES:
        for fig in table.figures:
            cells[fig.code] = table_cell(table, fig.row, fig.col)
    for i, fld in enumerate(spec.META_FIELDS):
        cells[fld.code] = Cell(INFO, FIELD_TOP + i, 1)
    for i, fld in enumerate(spec.TEXT_FIELDS):
        cells[fld.code] = Cell(TEXT, FIELD_TOP + i, 1)
    for i, code in enumerate(spec.NOTE_CODES):
        cells[code] = Cell(NOTES, FIELD_TOP + i, 1)
    cells[STATUS_NAME] = STATUS
    return cells


CELLS = _build()
INPUT_NAMES = frozenset(
    [*spec.INPUT_CODES, *(f.code for f in spec.META_FIELDS if f.editable),
     *(f.code for f in spec.TEXT_FIELDS), *spec.NOTE_CODES]
)
_TEXT_INDEX = {f.code: i for i, f in enumerate(spec.TEXT_FIELDS)}


def address_of(code: str) -> Cell:
    return CELLS[code]


def panel_row(index: int) -> int:
    return PANEL_TOP + index


def value_cell(code: str) -> Cell:
    """The calc cell holding a figure's number (or an error when it is not a number)."""
    fig = spec.FIGURES[code]
    return Cell(CALC, _MIRROR[spec.FIGURE_TABLE[code].key] + fig.row, fig.col)


def typed_cell(code: str) -> Cell:
    """The calc cell holding an input figure typed as text, normalised (spaces, separators and
    full-width digits), from which its number is read."""
    cell = value_cell(code)
    return Cell(CALC, cell.row, cell.col + TYPED_OFFSET)


def text_cell(code: str, form: str) -> Cell:
    return Cell(CALC, _TEXT_TOP + _TEXT_INDEX[code], TEXT_FORMS.index(form))


def helper_cell(sheet: str, index: int) -> Cell:
    return Cell(sheet, index, HELPER_COL)


def fail_count_cell(index: int) -> Cell:
    return Cell(CALC, FAIL_TOP + index, 0)


class RulePlaces:
    """Where the template's formulas read what a rule needs (see ``expr.Places``)."""

    def __call__(self, code: str) -> Cell:
        return value_cell(code)

    def text(self, code: str, form: str) -> Cell:
        return text_cell(code, form)

    def cell(self, code: str) -> Cell:
        return address_of(code)


class TypedPlaces(RulePlaces):
    """The typed cells themselves: for a data validation, which sees what is being typed."""

    def __call__(self, code: str) -> Cell:
        return address_of(code)


RULE_PLACES = RulePlaces()
TYPED_PLACES = TypedPlaces()
