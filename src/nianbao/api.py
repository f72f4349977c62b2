"""The library API (``nianbao.validate``): check a returned file, get its check result as data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from . import published, sources
from .checks import check_reading
from .checks.findings import CheckResult
from .errors import FileProblem, problem
from .model.report import Report
from .sources.base import Reading

if TYPE_CHECKING:
    from .published.parse import Parsed

#: Last year's report, or how to find it from this year's.
Previous = Report | Callable[[Report], "Report | None"] | None


def check_file(path: Path, previous: Previous = None, name: str | None = None,
               units: tuple[tuple[str, str], ...] = (), round_year: int | None = None
               ) -> tuple[Reading | None, CheckResult]:
    """Read and check one file; an unreadable file gives ``(None, result with its problem)``.

    Every file gets exactly one verdict: a file that breaks the reader in a way nobody
    foresaw is reported as ``INTERNAL`` for that file, never an abort of the whole run.
    """
    shown = str(path) if name is None else name
    try:
        read = sources.read(Path(path))
        last = previous(read.report) if callable(previous) else previous
        return read, check_reading(read, shown, last, units, round_year)
    except FileProblem as exc:
        return None, CheckResult(shown, problem=exc.message, problem_code=exc.code)
    except Exception as exc:  # noqa: BLE001 - one file, one row (RecursionError included)
        detail = f"{type(exc).__name__}"
        return None, CheckResult(shown, problem=problem("INTERNAL", detail).message,
                                 problem_code="INTERNAL")


def import_file(path: Path | str, *, unit: str = "", year: int | None = None,
                level: str = "") -> Parsed:
    """A published report (PDF, web page, Word) read into the report model, with the place of
    every figure; raises :class:`FileProblem` for what cannot be read (never a guess)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(sources.HEAD)
    except OSError as exc:
        raise problem("UNREADABLE", exc.strerror or str(exc)) from exc
    kind = published.kind_of(head, path)
    if kind is None:
        raise problem("NOT_PUBLISHED")
    return published.read(path, kind, unit=unit, year=year, level=level)


def _import_one(path: Path, unit: str, year: int | None, level: str) -> Parsed | FileProblem:
    try:
        return import_file(path, unit=unit, year=year, level=level)
    except FileProblem as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - one file, one line
        return problem("INTERNAL", type(exc).__name__)


def import_many(paths, *, unit: str = "", year: int | None = None, level: str = "",
                jobs: int = 1) -> list[Parsed | FileProblem]:
    """Each file imported, in order; a file that cannot be read gives its FileProblem."""
    paths = [Path(p) for p in paths]
    if jobs <= 1 or len(paths) < 2:
        return [_import_one(p, unit, year, level) for p in paths]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(_import_one, paths, [unit] * len(paths), [year] * len(paths),
                             [level] * len(paths), chunksize=4))


def read_previous(path: Path | str) -> Report:
    """Last year's report from any supported file; raises :class:`FileProblem` naming the file."""
    try:
        return sources.read(Path(path)).report
    except FileProblem as exc:
        raise FileProblem(exc.code, f"上年度文件 {path} 无法读取：{exc.message}") from exc


def validate(path: Path | str, previous: Path | str | Report | None = None) -> CheckResult:
    """Check one workbook or report JSON; ``previous`` is last year's file or report.

    Raises :class:`FileProblem` only when ``previous`` cannot be read.
    """
    last = read_previous(previous) if isinstance(previous, (str, Path)) else previous
    return check_file(Path(path), last)[1]
