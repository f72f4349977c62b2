"""What a round produced, as data: per file, per unit, and the round as a whole. Shared by
``batch`` (which makes them) and ``summary`` (which writes them), without a cycle."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .. import spec
from ..checks.findings import CheckResult
from ..model import jsonform
from ..model.report import Report

PASSED, WARNED, FAILED, UNREADABLE, MISSING = "通过", "有提示", "有错误", "无法读取", "未提交"
#: A unit whose earlier submission had errors and whose latest has none.
CORRECTED = "已更正"
SUPERSEDED = "重复提交（已被较新文件取代）"
#: A published report sent into a round of workbooks: never adopted as the unit's submission.
NOT_TEMPLATE = "不是填报模板"


#: The figures 汇总.xlsx shows per unit (表三 一/二/（七）/四 总计, 表四 totals, 表二).
KEY_CODES = (
    *(f"T3_{r}_TOTAL" for r in ("NEW", "CARRIED_IN", "TOTAL", "CARRIED_FORWARD")),
    *(f"T4_{g}_TOTAL" for g, _ in spec.T4_GROUPS),
    *(f.code for f in spec.T2.figures),
)


@dataclass(frozen=True)
class Brief:
    """What the main process keeps of a report: identity and key figures (memory stays flat);
    the full model waits in a scratch JSON file until its outputs are written."""

    unit: str
    year: int
    level: str
    figures: dict
    scratch: str
    source: str = "workbook"  # the source that read it (workbook, report-json, published kinds)
    digest: str = ""  # of the report's JSON form: what its outputs are made from

    @classmethod
    def of(cls, report: Report, scratch: Path, typed: Mapping[str, object] | None = None,
           source: str = "workbook") -> Brief:
        scratch.parent.mkdir(parents=True, exist_ok=True)
        text = jsonform.dumps(report)
        scratch.write_text(text, encoding="utf-8")  # private temp space
        typed_path(scratch).write_text(json.dumps(dict(typed or {}), ensure_ascii=False),
                                       encoding="utf-8")
        return cls(report.unit, report.year, report.level,
                   {c: report.figure(c) for c in KEY_CODES}, str(scratch), source,
                   report_digest(text))


    def to_json(self) -> dict:
        """What the cache keeps of it (the scratch path is the run's own)."""
        return {"unit": self.unit, "year": self.year, "level": self.level,
                "figures": {code: str(value) for code, value in self.figures.items()},
                "digest": self.digest}

    @classmethod
    def cached(cls, brief: dict, scratch: Path, source: str) -> Brief:
        """The brief of an outcome from the cache; its report is put at ``scratch`` only if
        something must be made from it (see ``materialise``)."""
        figures = {code: Decimal(value) for code, value in brief["figures"].items()}
        return cls(brief["unit"], brief["year"], brief["level"], figures, str(scratch), source,
                   brief["digest"])


def report_digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def materialise(scratch: Path, report: str, typed: Mapping[str, object]) -> None:
    """A cached report and what the clerk typed written where the renderers read them."""
    scratch.parent.mkdir(parents=True, exist_ok=True)
    scratch.write_text(report, encoding="utf-8")
    typed_path(scratch).write_text(json.dumps(dict(typed), ensure_ascii=False), encoding="utf-8")


def typed_path(scratch: Path | str) -> Path:
    """Beside a report's scratch JSON: what the clerk typed where it is not a plain number."""
    return Path(str(scratch) + ".typed.json")


@dataclass
class FileOutcome:
    """What happened to one returned file."""

    file: str
    result: CheckResult
    brief: Brief | None = None
    saved: str = ""
    status: str = ""
    note: str = ""
    documents: dict[str, str] = field(default_factory=dict)  # format → path under OUT
    data_path: str = ""
    received: str = ""  # ISO time the inbox gives the file (modification or zip entry time)
    origin: str = ""  # which of the two
    returned: str = ""  # the 退回件 under OUT, when one was written
    attributed: str = ""  # the unit an unreadable file was given to by its name
    key: str = ""  # the file's key in the round's cache (its content in this round's context)

    @property
    def unit(self) -> str:
        """The unit the file is of: as read, or as its name says when it could not be read."""
        return self.brief.unit if self.brief is not None else self.attributed

    @property
    def document(self) -> str:
        """The first rendered document's path (the .docx), or empty."""
        return next(iter(self.documents.values()), "")


@dataclass
class UnitRow:
    unit: str
    level: str = ""
    status: str = MISSING
    outcome: FileOutcome | None = None
    note: str = ""
    contact: str = ""
    phone: str = ""
    submissions: int = 0
    first: str = ""  # when the first and the latest submission were made (best evidence)
    latest: str = ""
    fixed: tuple[str, ...] = ()  # findings of the submission before that the latest no longer has
    new: tuple[str, ...] = ()  # findings the latest has that the one before did not
    files: tuple[str, ...] = ()  # every file attributed to the unit, oldest first (counted)


@dataclass
class BatchResult:
    year: int | None
    rows: list[UnitRow] = field(default_factory=list)
    files: list[FileOutcome] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if not self.files or all(f.brief is None for f in self.files):
            return 3
        bad = {FAILED, UNREADABLE, MISSING}
        unreadable = any(f.status == UNREADABLE for f in self.files)
        return 1 if unreadable or any(r.status in bad for r in self.rows) else 0
