"""What every source gives back: a report model, the findings reading made, and a locator."""

from __future__ import annotations

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


class Source(Protocol):
    """One kind of input. ``claims`` looks only at the first bytes; ``emits`` lists the rule
    codes reading may produce (beside the registered rules)."""

    name: str
    emits: frozenset[str]

    def claims(self, head: bytes) -> bool: ...

    def read(self, path: Path) -> Reading: ...
