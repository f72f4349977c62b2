"""Where every code sits in the workbook: the one place that computes a cell address."""

from __future__ import annotations

from .. import spec
from ..spec.expr import Cell

GUIDE = "填表说明"
INFO = "基本信息"
TEXT = "正文"
PANEL = "校验"
META = "_meta"
SHEETS = (GUIDE, INFO, TEXT, *(t.name for t in spec.TABLES), PANEL)

#: Every sheet shows the workbook's verdict at its top: label in A1, status in B1.
BANNER_ROW = 0
TITLE_ROW = 1
GRID_TOP = 2
FIELD_TOP = 3
PANEL_TOP = 3
STATUS = Cell(PANEL, BANNER_ROW, 1)
STATUS_NAME = "CHECK_STATUS"
PANEL_COLUMNS = ("序号", "规则代码", "检查内容", "左边", "右边", "结果")


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
    cells[STATUS_NAME] = STATUS
    return cells


CELLS = _build()
INPUT_NAMES = frozenset(
    [*spec.INPUT_CODES, *(f.code for f in spec.META_FIELDS if f.editable),
     *(f.code for f in spec.TEXT_FIELDS)]
)


def address_of(code: str) -> Cell:
    return CELLS[code]


def panel_row(index: int) -> int:
    return PANEL_TOP + index
