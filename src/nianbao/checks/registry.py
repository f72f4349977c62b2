"""Rules register themselves: one function per declared code, run in the spec's order.

Arithmetic rules are declared as expressions in the spec and need no function. Every other rule
is either a function registered here with :func:`rule`, or emitted while a source reads its file
(the source lists those codes in ``emits``). ``tests/test_rules.py`` fails when a declared code
has neither, or a registered one has no declaration.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from .. import spec
from ..model.report import Report, compute_totals
from ..spec.expr import Values
from .findings import Finding


def values_of(report: Report, unreadable: frozenset[str] = frozenset()) -> Values:
    """What the rule language reads: figures (an unreadable cell is ``None``), texts, level."""
    values: dict[str, Decimal | str | None] = dict(report.figures)
    values.update(dict.fromkeys(unreadable))
    if unreadable:  # a total over a cell that is not a number is unknown too, not 0
        known = compute_totals(report.figures, unreadable)
        values.update({code: None for code in spec.COMPUTED if code not in known})
    values.update({f.code: report.texts.get(f.code, "") for f in spec.TEXT_FIELDS})
    values["META_LEVEL"] = report.level
    return values


@dataclass(frozen=True)
class Context:
    """What a rule sees: the report, what the source could not read, last year's report, and
    the round's other units; what several rules derive from them is derived once."""

    report: Report
    unreadable: frozenset[str] = field(default_factory=frozenset)
    date_unreadable: bool = False
    previous: Report | None = None
    units: tuple[tuple[str, str], ...] = ()  # the roster's units (name, parent), when known
    round_year: int | None = None  # the year the round collects, when the file is part of one

    @functools.cached_property
    def values(self) -> Values:
        return values_of(self.report, self.unreadable)

    @functools.cached_property
    def narrative(self) -> str:
        """The six parts' text (the preamble aside), one section a line."""
        return "\n".join(self.report.texts.get(c, "") for c in spec.NARRATIVE_CODES)


RuleFunction = Callable[[Context], Iterable[Finding]]
_RULES: dict[str, RuleFunction] = {}


def rule(code: str) -> Callable[[RuleFunction], RuleFunction]:
    """Register the function that checks the declared rule ``code``."""

    def register(function: RuleFunction) -> RuleFunction:
        if code not in spec.RULES:
            raise LookupError(f"rule {code} is not declared in the spec")
        if code in _RULES:
            raise LookupError(f"rule {code} is registered twice")
        _RULES[code] = function
        return function

    return register


def registered() -> dict[str, RuleFunction]:
    return dict(_RULES)


def run(context: Context, skips: frozenset[str] = frozenset()) -> list[Finding]:
    """Every registered rule that applies, in the order the spec declares them."""
    findings: list[Finding] = []
    for code in spec.RULES:
        function = _RULES.get(code)
        if function is not None and code not in skips:
            findings.extend(function(context))
    return findings
