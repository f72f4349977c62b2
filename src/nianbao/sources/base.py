"""What every source gives back: a report model, the findings reading made, and a locator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..checks.findings import Finding, Locator, code_locator
from ..model.report import Report


@dataclass(frozen=True)
class Reading:
    """A report read from a file. ``unreadable``: codes whose cells held something that is not a
    number; ``date_unreadable``: the 成文日期 held something that is not a date; ``saved``:
    when the file says it was last saved (ISO text, or empty); ``locator``: code → place."""

    report: Report
    findings: tuple[Finding, ...] = ()
    unreadable: frozenset[str] = field(default_factory=frozenset)
    date_unreadable: bool = False
    saved: str = ""
    locator: Locator = code_locator
    source: str = ""
    #: What the clerk typed where it is not a plain number (blank, "5件", " 1,234 ", an error
    #: value, a date written as text), by code: carried over unchanged into a returned copy.
    typed: Mapping[str, object] = field(default_factory=dict)
    #: Rules that do not apply to this kind of input (a published report has no formulas).
    skips: frozenset[str] = field(default_factory=frozenset)


class Source(Protocol):
    """One kind of input. ``claims`` looks at the first bytes (and, for a zip, may list its
    parts); ``emits`` lists the rule codes reading may produce (beside the registered rules)."""

    name: str
    emits: frozenset[str]

    def claims(self, head: bytes, path: Path) -> bool: ...

    def read(self, path: Path) -> Reading: ...
