"""The one owner of a round's results folder: its layout, the one output stem per unit, the one
status decision, and a finished round loaded as typed objects.

``batch`` writes through it; ``serve``, the command line's summary and the notices read through
it. No other module names the result files or decides a status again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .. import spec
from ..checks.findings import CheckResult
from ..outfile import unit_stem, write_text_atomic
from . import cache, publish
from .outcomes import (
    CORRECTED,
    FAILED,
    MISSING,
    NOT_TEMPLATE,
    PASSED,
    SUPERSEDED,
    UNREADABLE,
    WARNED,
    FileOutcome,
    UnitRow,
)

REPORTS, DATA, RETURNS = "reports", "data", "退回"
FINDINGS, SUMMARY, STATE, NOTICE = "findings.json", "汇总.xlsx", "round.json", "通知.txt"
FOLDERS = (REPORTS, DATA, RETURNS)
#: What every run writes into OUT, replacing the last run's, all together (round.json last:
#: serve watches it).
PUBLISHED = (*FOLDERS, FINDINGS, SUMMARY, cache.MANIFEST, STATE)
#: The round's own 图解 beside 汇总.xlsx (batch --formats tujie).
ROUND_TUJIE = ("汇总-图解.svg", "汇总-图解.png")
STATE_SCHEMA = "nianbao.round/2"
#: The states a roster unit can be in, as the page, the API, 汇总, 通知 and the console say them.
UNIT_STATES = (PASSED, WARNED, FAILED, UNREADABLE, MISSING, CORRECTED)

stem = unit_stem


def status_of(result: CheckResult) -> str:
    """The one decision of a file's status from its check result."""
    if result.problem:
        return UNREADABLE
    if result.errors:
        return FAILED
    return WARNED if result.warnings else PASSED


def finding_keys(result: CheckResult) -> dict[str, str]:
    """A submission's findings as key → what it says (its 提示 explained by the unit aside)."""
    return {f"{f.code}@{'、'.join(f.cells)}": f"{spec.SEVERITY_LABEL[f.severity]}：{f.message}"
            for f in result.findings if not f.explained}


# ---------------------------------------------------------------- writing round.json


def _unit_state(row: UnitRow) -> dict:
    o = row.outcome
    readable = o is not None and o.brief is not None
    return {
        "status": row.status, "file": o.file if o else "", "latest": row.latest,
        "submissions": row.submissions, "files": list(row.files),
        "errors": o.result.errors if readable else 0,  # type: ignore[union-attr]
        "warnings": o.result.warnings if readable else 0,  # type: ignore[union-attr]
        "findings": finding_keys(o.result) if readable else {},  # type: ignore[union-attr]
        "corrected": row.status == CORRECTED, "note": row.note,
        "problem": o.result.problem if o is not None and not readable else "",
    }


def _file_state(o: FileOutcome) -> dict:
    return {"unit": o.unit, "status": o.status, "note": o.note, "errors": o.result.errors,
            "warnings": o.result.warnings, "problem": o.result.problem}


def write_state(path: Path, rows: Iterable[UnitRow], files: Iterable[FileOutcome]) -> None:
    """round.json: each unit's state as the county saw it this run (the next run's ``--since``)
    and each file's, so that every reader says what the round decided."""
    data = {"schema": STATE_SCHEMA, "units": {row.unit: _unit_state(row) for row in rows},
            "files": {o.file: _file_state(o) for o in sorted(files, key=lambda f: f.file)}}
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


# ---------------------------------------------------------------- reading a finished round


@dataclass(frozen=True)
class UnitState:
    unit: str
    status: str = MISSING
    errors: int = 0
    warnings: int = 0
    submissions: int = 0
    latest: str = ""
    file: str = ""  # the adopted submission
    files: tuple[str, ...] = ()  # every file attributed to the unit, oldest first
    note: str = ""
    problem: str = ""  # why the adopted file could not be read
    findings: dict = field(default_factory=dict)


@dataclass(frozen=True)
class FileState:
    file: str
    unit: str = ""
    status: str = ""
    note: str = ""
    errors: int = 0
    warnings: int = 0
    problem: str = ""


@dataclass
class Round:
    """A finished round as its results folder holds it."""

    folder: Path
    units: dict[str, UnitState] = field(default_factory=dict)
    files: dict[str, FileState] = field(default_factory=dict)
    results: list[dict] = field(default_factory=list)  # findings.json (validate's JSON)
    notices: str = ""

    @classmethod
    def load(cls, folder: Path) -> Round:
        """The round in ``folder``, read under the results lock (one complete set); an empty
        round when nothing was written yet."""
        folder = Path(folder)
        if not folder.is_dir():
            return cls(folder)
        with publish.results_lock(folder, reader=True):
            state = _json(folder / STATE)
            results = _json(folder / FINDINGS)
            try:
                notices = (folder / RETURNS / NOTICE).read_text(encoding="utf-8")
            except OSError:
                notices = ""
        state = state if isinstance(state, dict) else {}
        units = {name: _typed(UnitState, {"unit": name, **value})
                 for name, value in (state.get("units") or {}).items() if isinstance(value, dict)}
        files = {name: _typed(FileState, {"file": name, **value})
                 for name, value in (state.get("files") or {}).items() if isinstance(value, dict)}
        return cls(folder, units, files, results if isinstance(results, list) else [], notices)

    def unit(self, name: str) -> UnitState:
        return self.units.get(name, UnitState(name))

    def unattributed(self) -> list[FileState]:
        """Files the round could not give to any unit (unreadable, and no name to go by)."""
        return [f for f in self.files.values() if not f.unit]

    def result_of(self, file: str) -> dict | None:
        return next((r for r in self.results if r.get("file") == file), None)

    def notice(self, name: str) -> str:
        return "\n".join(line for line in self.notices.splitlines()
                         if line.startswith((f"【{name}】", f"【催报】{name}")))

    def downloads(self, name: str, years: Iterable[int], formats: Iterable[tuple[str, str]]
                  ) -> dict[str, str]:
        """Format → path under the folder of this unit's reports and 退回件 (``formats``:
        (name, suffix) pairs of the registry)."""
        found = {}
        stems = [stem(year, name) for year in sorted(set(years))]
        for fmt, suffix in formats:
            for s in stems:
                if (self.folder / REPORTS / f"{s}{suffix}").is_file():
                    found[fmt] = f"{REPORTS}/{s}{suffix}"
        for s in stems:
            if (self.folder / RETURNS / f"{s}.xlsx").is_file():
                found["return"] = f"{RETURNS}/{s}.xlsx"
        return found

    def years(self) -> set[int]:
        return {r["year"] for r in self.results if isinstance(r.get("year"), int)}


def _json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _typed(kind, values: dict):
    """A dataclass from a dict read from disk: known fields only, lists as tuples."""
    names = set(kind.__dataclass_fields__)
    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items() if k in names}
    return kind(**fields)


def load_since(out: Path | None) -> dict[str, dict] | None:
    """Each unit's state as an earlier run left it in its OUT folder (round.json)."""
    if out is None:
        return None
    data = _json(Path(out) / STATE)
    if not isinstance(data, dict):
        from ..errors import FileProblem

        raise FileProblem("UNREADABLE", f"{out} 中没有可用的 {STATE}（上一次 batch 的输出文件夹）")
    units = data.get("units")
    return units if isinstance(units, dict) else {}


__all__ = ["PUBLISHED", "Round", "SUPERSEDED", "UNIT_STATES", "NOT_TEMPLATE", "finding_keys",
           "status_of", "stem", "write_state"]
