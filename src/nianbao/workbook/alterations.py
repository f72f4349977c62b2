"""What a clerk changed in the locked part of a template, said as the clerk did it.

Inserting one row in 表三 moves every label below it and changes every formula that points
there, on 表三 and on 校验; listing those 171 cells describes the consequences, not the change.
This module compares the regenerated template with the return sheet by sheet: a block of rows
or columns that moved is one change ("表三 第 9 行前插入了 1 行"), a label that differs is one
change at its cell, and formulas are named only when nothing structural explains them.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..spec.expr import column_letter
from .fingerprint import normalise

MAX_SHIFT = 50
SHOWN = 5

#: (sheet, A1, content) of a locked cell, content as written (label text or formula).
Entry = tuple[str, str, object]
Grid = dict[tuple[int, int], str]


def _split(a1: str) -> tuple[int, int]:
    letters = "".join(ch for ch in a1 if ch.isalpha())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch.upper()) - 64
    return int(a1[len(letters):]) - 1, col - 1


def _grids(entries: Iterable[Entry]) -> tuple[dict[str, Grid], dict[str, Grid]]:
    """Per sheet: label cells and formula cells, (row, col) → normalised content."""
    labels: dict[str, Grid] = {}
    formulas: dict[str, Grid] = {}
    for sheet, a1, content in entries:
        text = normalise(content)
        if not text:  # nothing there, as digest() counts it
            continue
        target = formulas if text.startswith("=") else labels
        target.setdefault(sheet, {})[_split(a1)] = text
    return labels, formulas


def _shift(expected: Grid, actual: Grid, axis: int) -> str:
    """One inserted or deleted block of rows (axis 0) or columns (axis 1) explaining the
    difference between two label grids, or ''."""
    if not expected or not actual or expected == actual:
        return ""
    differing = [key for key in sorted(set(expected) | set(actual))
                 if expected.get(key) != actual.get(key)]
    start = min(key[axis] for key in differing)
    word, unit = ("行", "第 {} 行") if axis == 0 else ("列", "第 {} 列")
    place = unit.format(start + 1 if axis == 0 else column_letter(start))
    for k in range(1, MAX_SHIFT + 1):
        def moved(key: tuple[int, int], by: int) -> tuple[int, int]:
            return (key[0] + by, key[1]) if axis == 0 else (key[0], key[1] + by)

        after = {key: v for key, v in expected.items() if key[axis] >= start}
        if after and all(actual.get(moved(key, k)) == v for key, v in after.items()):
            return f"{place}前插入了 {k} {word}"
        if after and all(actual.get(key) == expected.get(moved(key, k))
                         for key in actual if key[axis] >= start):
            return f"删除了{place}起的 {k} {word}"
    return ""


def _cell_changes(sheet: str, expected: Grid, actual: Grid, kind: str) -> list[str]:
    changes = []
    for key in sorted(set(expected) | set(actual)):
        before, after = expected.get(key), actual.get(key)
        if before == after:
            continue
        where = f"{sheet}!{column_letter(key[1])}{key[0] + 1}"
        if after is None:
            changes.append(f"{where} 的{kind}被清除")
        elif before is None:
            changes.append(f"{where} 添加了“{after[:20]}”")
        elif kind == "标签":
            changes.append(f"{where} 的标签由“{before[:20]}”改为“{after[:20]}”")
        else:
            changes.append(f"{where} 的公式被改为 {after[:40]}")
    return changes


def describe(expected: Iterable[Entry], actual: Iterable[Entry], sheets: Iterable[str]) -> str:
    """The changes in words, at most a few named, or '' when the two agree."""
    exp_labels, exp_formulas = _grids(expected)
    act_labels, act_formulas = _grids(actual)
    changes: list[str] = []
    structural = False
    for sheet in sheets:
        moved = (_shift(exp_labels.get(sheet, {}), act_labels.get(sheet, {}), 0)
                 or _shift(exp_labels.get(sheet, {}), act_labels.get(sheet, {}), 1))
        if moved:
            changes.append(f"{sheet} {moved}")
            structural = True
        else:
            changes += _cell_changes(sheet, exp_labels.get(sheet, {}), act_labels.get(sheet, {}),
                                     "标签")
    if not structural:
        for sheet in sheets:
            changes += _cell_changes(sheet, exp_formulas.get(sheet, {}),
                                     act_formulas.get(sheet, {}), "公式")
    if not changes:
        return ""
    more = f" 等 {len(changes)} 处" if len(changes) > SHOWN else ""
    return "、".join(changes[:SHOWN]) + more
