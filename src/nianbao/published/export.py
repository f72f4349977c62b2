"""An imported report in the JSON form batch writes, with where every figure was printed."""

from __future__ import annotations

import json

from .. import spec
from ..checks.findings import location
from ..model.jsonform import to_dict
from .parse import Parsed


def place_text(code: str, where: str) -> str:
    """第4页 表三 “…”行 自然人列: where it was printed, then which cell."""
    fig = spec.FIGURES[code]
    table = spec.FIGURE_TABLE[code]
    column = "" if table is spec.T2 and fig.cols > 1 else fig.col_name
    return f"{where} {location(table.name, fig.row_name, column)}".strip()


def to_json(parsed: Parsed) -> str:
    data = to_dict(parsed.report)
    data["places"] = {code: place_text(code, parsed.places[code])
                      for code in spec.FIGURES if code in parsed.places}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
