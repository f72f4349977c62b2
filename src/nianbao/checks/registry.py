"""Rules register themselves: one function per declared code, run in the spec's order.

Arithmetic rules are declared as expressions in the spec and need no function. Every other rule
is either a function registered here with :func:`rule`, or emitted while a source reads its file
(the source lists those codes in ``emits``). ``tests/test_rules.py`` fails when a declared code
has neither, or a registered one has no declaration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .. import spec
from ..model.report import Report
from .findings import Finding


@dataclass(frozen=True)
class Context:
    """What a rule sees: the report, what the source could not read, last year's report, and
    the round's other units."""

    report: Report
    unreadable: frozenset[str] = field(default_factory=frozenset)
    date_unreadable: bool = False
    previous: Report | None = None
    units: tuple[tuple[str, str], ...] = ()  # the roster's units (name, parent), when known


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


def run(context: Context) -> list[Finding]:
    """Every registered rule, in the order the spec declares them."""
    findings: list[Finding] = []
    for code in spec.RULES:
        function = _RULES.get(code)
        if function is not None:
            findings.extend(function(context))
    return findings
