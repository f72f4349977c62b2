"""A tiny rule language with two interpreters: Python evaluation and spreadsheet formulas."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from . import normalise

ZERO = Decimal(0)

#: code → value: a figure (Decimal; absent is a blank cell, 0), a text (str), or ``None`` for a
#: cell that could not be read.
Values = Mapping[str, "Decimal | str | None"]


@dataclass(frozen=True)
class Cell:
    """A cell position: sheet name, 0-based row and column."""

    sheet: str
    row: int
    col: int

    @property
    def a1(self) -> str:
        return f"{column_letter(self.col)}{self.row + 1}"

    @property
    def ref(self) -> str:
        """The address as users see it, e.g. ``表三!D6``."""
        return f"{self.sheet}!{self.a1}"


AddressOf = Callable[[str], Cell]


class Places(Protocol):
    """Where a formula reads what a rule needs: ``places(code)`` the number (for an input, the
    hidden cell that reads a number typed as text as validate does), ``text(code, form)`` a
    text field's normalised form ("visible", "marks" or "bare"), ``cell(code)`` the cell."""

    def __call__(self, code: str) -> Cell: ...

    def text(self, code: str, form: str) -> Cell: ...

    def cell(self, code: str) -> Cell: ...


class Unknown(Exception):
    """A referenced cell could not be read, so the rule cannot be evaluated."""


def fmt_number(value: Decimal) -> str:
    """A figure as a person writes it: no exponent, no trailing zeros."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def column_letter(col: int) -> str:
    """0-based column index → spreadsheet letters (0 → A, 26 → AA)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _absolute(cell: Cell, sheet_of_formula: str | None) -> str:
    local = f"${column_letter(cell.col)}${cell.row + 1}"
    if cell.sheet == sheet_of_formula:
        return local
    return f"'{cell.sheet}'!{local}"


def cell_formula(cell: Cell, here: str | None) -> str:
    return _absolute(cell, here)


def ranges_formula(cells: list[Cell], here: str | None) -> str:
    """Cells as a comma list of references, consecutive runs merged into ranges."""
    parts: list[str] = []
    i = 0
    while i < len(cells):
        j = i
        while j + 1 < len(cells) and _adjacent(cells[j], cells[j + 1], cells[i]):
            j += 1
        first, last = cells[i], cells[j]
        if i == j:
            parts.append(_absolute(first, here))
        else:
            end = f"${column_letter(last.col)}${last.row + 1}"
            parts.append(f"{_absolute(first, here)}:{end}")
        i = j + 1
    return ",".join(parts)


def _adjacent(prev: Cell, nxt: Cell, first: Cell) -> bool:
    if prev.sheet != nxt.sheet:
        return False
    down = first.col == prev.col == nxt.col and nxt.row == prev.row + 1
    across = first.row == prev.row == nxt.row and nxt.col == prev.col + 1
    return down or across


class Term(Protocol):
    def evaluate(self, values: Values) -> Decimal: ...
    def formula(self, addr: Any, here: str | None = None) -> str: ...
    def describe(self, values: Values) -> str: ...
    def symbol(self) -> str: ...
    def codes(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Ref:
    """One figure by its code; ``name`` is how messages call it (e.g. 本年新收)."""

    code: str
    name: str

    def evaluate(self, values: Values) -> Decimal:
        value = values.get(self.code, ZERO)
        if value is None or isinstance(value, str):
            raise Unknown(self.code)
        return value

    def formula(self, addr: AddressOf, here: str | None = None) -> str:
        return cell_formula(addr(self.code), here)

    def describe(self, values: Values) -> str:
        return f"{self.name} {fmt_number(self.evaluate(values))}"

    def symbol(self) -> str:
        return self.name

    def codes(self) -> tuple[str, ...]:
        return (self.code,)


@dataclass(frozen=True)
class Sum:
    """The sum of several figures; with a ``name`` messages show only the total."""

    terms: tuple[Ref, ...]
    name: str | None = None

    def evaluate(self, values: Values) -> Decimal:
        return sum((t.evaluate(values) for t in self.terms), ZERO)

    def formula(self, addr: AddressOf, here: str | None = None) -> str:
        return f"SUM({ranges_formula([addr(t.code) for t in self.terms], here)})"

    def describe(self, values: Values) -> str:
        total = fmt_number(self.evaluate(values))
        if self.name:
            return f"{self.name} {total}"
        return " + ".join(t.describe(values) for t in self.terms) + f" = {total}"

    def symbol(self) -> str:
        return self.name or " + ".join(t.symbol() for t in self.terms)

    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms)


@dataclass(frozen=True)
class Equal:
    """``left = right``; messages show the figures on both sides and the difference."""

    left: Term
    right: Term

    def holds(self, values: Values) -> bool:
        return self.left.evaluate(values) == self.right.evaluate(values)

    def failing(self, values: Values) -> tuple[str, ...]:
        return self.codes()

    def describe(self, values: Values) -> str:
        diff = abs(self.left.evaluate(values) - self.right.evaluate(values))
        return (
            f"{self.left.describe(values)}，但{self.right.describe(values)}，"
            f"相差 {fmt_number(diff)}"
        )

    def formula(self, addr: AddressOf, here: str | None = None) -> str:
        return f"{self.left.formula(addr, here)}={self.right.formula(addr, here)}"

    def problem(self) -> str:
        """What is wrong when the condition fails, in a clerk's words (the workbook's panel)."""
        return f"{self.left.symbol()} 与 {self.right.symbol()} 不相等"

    def symbol(self) -> str:
        return f"{self.left.symbol()} = {self.right.symbol()}"


    def codes(self) -> tuple[str, ...]:
        return self.left.codes() + self.right.codes()


@dataclass(frozen=True)
class InRange:
    """Each figure is blank or a number ≥ 0 with at most ``places`` decimals (0: a whole count)."""

    refs: tuple[Ref, ...]
    places: int = 0

    def _ok(self, value: Decimal | str | None) -> bool:
        if value is None or isinstance(value, str):
            raise Unknown
        if value < 0:
            return False
        exponent = value.normalize().as_tuple().exponent
        return isinstance(exponent, int) and exponent >= -self.places

    def holds(self, values: Values) -> bool:
        return not self.failing(values)

    def failing(self, values: Values) -> tuple[str, ...]:
        return tuple(r.code for r in self.refs if not self._ok(values.get(r.code, ZERO)))

    def describe(self, values: Values) -> str:
        return "、".join(r.describe(values) for r in self.refs if r.code in self.failing(values))

    def formula(self, addr: AddressOf, here: str | None = None) -> str:
        tests = []
        for ref in self.refs:
            x = ref.formula(addr, here)
            exact = f"INT({x})={x}" if self.places == 0 else f"ROUND({x},{self.places})={x}"
            # an error (a figure that is not a number) leaves the check unknown, as in Python
            tests.append(f"IF(ISERROR({x}),NA(),IF(ISNUMBER({x}),AND({x}>=0,{exact}),"
                         f"COUNTBLANK({x})=1))")
        return tests[0] if len(tests) == 1 else f"AND({','.join(tests)})"


    def problem(self) -> str:
        if self.places:
            return f"有负数或超过 {self.places} 位的小数"
        return "有负数或小数（应为不小于 0 的整数）"

    def symbol(self) -> str:
        if self.places:
            return f"不小于 0、最多 {self.places} 位小数"
        return "均为不小于 0 的整数"

    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.refs)


def _text(values: Values, code: str) -> str:
    value = values.get(code, "")
    return value if isinstance(value, str) else ""


def _quoted(items: tuple[str, ...]) -> str:
    return "{" + ",".join(normalise.string(i) for i in items) + "}"


@dataclass(frozen=True)
class Numbers:
    """Every cell holds a number (or a number typed as text, or nothing): VALUE_NOT_NUMBER."""

    refs: tuple[Ref, ...]

    def failing(self, values: Values) -> tuple[str, ...]:
        return tuple(r.code for r in self.refs if r.code in values and values[r.code] is None)

    def holds(self, values: Values) -> bool:
        return not self.failing(values)

    def describe(self, values: Values) -> str:
        return "、".join(r.name for r in self.refs if r.code in self.failing(values)) + " 不是数字"

    def formula(self, addr: Places, here: str | None = None) -> str:
        tests = [f"NOT(ISERROR({r.formula(addr, here)}))" for r in self.refs]
        return tests[0] if len(tests) == 1 else f"AND({','.join(tests)})"

    def problem(self) -> str:
        return "有不是数字的内容（没有发生的填 0）"

    def symbol(self) -> str:
        return "均为数字（没有发生的填 0）"

    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.refs)


@dataclass(frozen=True)
class Filled:
    """A text field shows something (spaces and invisible characters are nothing): TEXT_EMPTY."""

    code: str
    name: str

    def holds(self, values: Values) -> bool:
        return bool(normalise.visible(_text(values, self.code)))

    def failing(self, values: Values) -> tuple[str, ...]:
        return () if self.holds(values) else (self.code,)

    def describe(self, values: Values) -> str:
        return "未填写"

    def formula(self, addr: Places, here: str | None = None) -> str:
        return f"LEN({cell_formula(addr.text(self.code, 'visible'), here)})>0"

    def problem(self) -> str:
        return "未填写"

    def symbol(self) -> str:
        return "已填写"

    def codes(self) -> tuple[str, ...]:
        return (self.code,)


@dataclass(frozen=True)
class NoPlaceholder:
    """A text field holds no blank left to be filled (spec.normalise's marks): TEXT_PLACEHOLDER."""

    code: str
    name: str

    def holds(self, values: Values) -> bool:
        return not normalise.placeholders(_text(values, self.code))

    def failing(self, values: Values) -> tuple[str, ...]:
        return () if self.holds(values) else (self.code,)

    def describe(self, values: Values) -> str:
        marks = normalise.placeholders(_text(values, self.code))
        return "含有“" + "”“".join(dict.fromkeys(marks)) + "”"

    def formula(self, addr: Places, here: str | None = None) -> str:
        visible = cell_formula(addr.text(self.code, "visible"), here)
        marks = cell_formula(addr.text(self.code, "marks"), here)
        bare = cell_formula(addr.text(self.code, "bare"), here)
        found = f"SUMPRODUCT(--ISNUMBER(FIND({_quoted(normalise.PLACEHOLDER_MARKS)},{marks})))"
        whole = ",".join(f"{bare}={normalise.string(w)}" for w in normalise.PLACEHOLDER_WHOLE)
        slot = normalise.string(normalise.NAME_SLOT)
        slots = f"(LEN({marks})-LEN(SUBSTITUTE({marks},{slot},\"\")))/{len(normalise.NAME_SLOT)}"
        named = (f"SUMPRODUCT(LEN({marks})-LEN(SUBSTITUTE({marks},"
                 f"{_quoted(normalise.ANONYMISED)},\"\")))/{len(normalise.ANONYMISED[0])}")
        return (f"OR(LEN({visible})=0,AND({found}=0,{slots}<={named},NOT(OR({whole}))))")

    def problem(self) -> str:
        return "留有待填的空（如 XX、X月X日、【】、待补充）"

    def symbol(self) -> str:
        return "没有留下待填的空（XX、X月X日、某某镇、由某某负责、【】、＿＿、待补充等）"

    def codes(self) -> tuple[str, ...]:
        return (self.code,)


@dataclass(frozen=True)
class ZeroUnless:
    """The figures are all 0 unless the level (a text cell) is outside ``levels``:
    REGULATION_NOT_ALLOWED (立法法: only some levels make 规章)."""

    level: str
    levels: tuple[str, ...]
    refs: tuple[Ref, ...]

    def _applies(self, values: Values) -> bool:
        return _text(values, self.level) in self.levels

    def failing(self, values: Values) -> tuple[str, ...]:
        if not self._applies(values):
            return ()
        return tuple(r.code for r in self.refs if r.evaluate(values) != 0)

    def holds(self, values: Values) -> bool:
        return not self.failing(values)

    def describe(self, values: Values) -> str:
        shown = "、".join(r.describe(values) for r in self.refs if r.code in self.failing(values))
        return f"层级为{_text(values, self.level)}，但填报了{shown}"

    def formula(self, addr: Places, here: str | None = None) -> str:
        level = cell_formula(addr.cell(self.level), here)
        zeros = ",".join(f"{r.formula(addr, here)}=0" for r in self.refs)
        return f"OR(ISNA(MATCH({level},{_quoted(self.levels)},0)),AND({zeros}))"

    def problem(self) -> str:
        return "本层级的机关不制定规章（立法法），应均为 0"

    def symbol(self) -> str:
        return f"层级为{'、'.join(self.levels)}的，均为 0"

    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.refs)


Condition = Equal | InRange | Numbers | Filled | NoPlaceholder | ZeroUnless
