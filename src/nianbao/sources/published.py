"""Source: a published report (PDF with a text layer, saved web page, Word file) — audit mode.

Figures are kept as printed; a printed total that is not the sum of its parts is reported
where it was printed (``PRINTED_TOTAL_MISMATCH``), so the rules that in a workbook check the
template's own formulas do not apply.
"""

from __future__ import annotations

from pathlib import Path

from .. import published
from .base import Reading

#: Rules that check a workbook's formulas; a published report's totals are checked as printed.
NOT_APPLICABLE = frozenset({"T3_RESULT_TOTAL", "T3_APPLICANT_TOTAL", "T4_GROUP_TOTAL"})


class PublishedSource:
    emits = frozenset({"PRINTED_TOTAL_MISMATCH", "FORMAT_OUTDATED", "VALUE_BLANK",
                       "PRINTED_PLACE_UNSURE"})

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.name = f"published-{kind}"

    def claims(self, head: bytes, path: Path) -> bool:
        return published.kind_of(head, path) == self.kind

    def read(self, path: Path) -> Reading:
        return reading(published.read(path, self.kind), self.name)


def reading(parsed: published.Parsed, name: str) -> Reading:
    places = parsed.places
    return Reading(parsed.report, tuple(parsed.findings), locator=places.get, source=name,
                   skips=NOT_APPLICABLE)


SOURCES = tuple(PublishedSource(kind) for kind in published.KINDS)
