"""The collection round: every returned file read, checked and rendered; one bad file is a row."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .. import sources
from ..api import check_file
from ..checks.findings import CheckResult
from ..errors import FileProblem, problem
from ..model import jsonform
from ..model.report import Report
from ..outfile import (
    folder,
    json_array_chunks,
    write_atomic,
    write_chunks_atomic,
    write_text_atomic,
)
from ..outputs.formats import DEFAULT, FORMATS, Options
from ..workbook.roster import Roster
from . import cache, publish
from .decide import decide, expected_year
from .inbox import Received, collect
from .outcomes import (
    FAILED,
    NOT_TEMPLATE,
    PASSED,
    SUPERSEDED,
    WARNED,
    BatchResult,
    Brief,
    FileOutcome,
    materialise,
)
from .results import (
    DATA,
    FINDINGS,
    FOLDERS,
    NOTICE,
    PUBLISHED,
    REPORTS,
    RETURNS,
    ROUND_TUJIE,
    STATE,
    SUMMARY,
    load_since,
    stem,
    write_state,
)
from .returns import ReturnJob, notices, plan_returns, write_return
from .summary import write_round_tujie, write_summary

# ---------------------------------------------------------------- inputs


def load_previous(folder: Path | None) -> dict[tuple[str, int], Report]:
    """Earlier reports by (unit, year), from a folder of JSON files or workbooks; files that
    cannot be read are passed over (they are last year's problem, not this year's)."""
    if folder is None:
        return {}
    found: dict[tuple[str, int], Report] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        try:
            rep = sources.read(path).report
        except FileProblem:
            continue
        found.setdefault((rep.unit, rep.year), rep)
    return found


def previous_for(report: Report, previous: dict[tuple[str, int], Report]) -> Report | None:
    """The same unit's report for the year before, when the folder has it."""
    return previous.get((report.unit, report.year - 1))


# ---------------------------------------------------------------- workers

_PREVIOUS: dict[tuple[str, int], Report] = {}
_UNITS: tuple[tuple[str, str], ...] = ()
_YEAR: int | None = None
_OUT = Path()  # the results folder: its cache and its published outputs
_LAST = ""  # the digest of last year's reports (part of every file's context)
_MADE: dict[str, str] = {}  # the published outputs' manifest: path → the key it was made from
_CONTEXT = ""  # the digest of everything a file's check depends on besides its bytes


def _init(previous: dict[tuple[str, int], Report], units: tuple[tuple[str, str], ...],
          year: int | None, out: Path, made: dict[str, str]) -> None:
    """Each worker's view of the round: last year's reports, the roster's units, its year, and
    what the results folder already holds."""
    global _PREVIOUS, _UNITS, _OUT, _LAST, _MADE
    _PREVIOUS, _UNITS, _OUT, _MADE = previous, units, out, made
    _LAST = cache.previous_key(previous)
    _set_year(year)


def _set_year(year: int | None) -> None:
    """The round's year, and the context every file's cache key starts from (computed once:
    a roster of a thousand units is not hashed again for every file)."""
    global _YEAR, _CONTEXT
    _YEAR = year
    _CONTEXT = cache.digest(_LAST, repr((_UNITS, _YEAR)))


def _check_one(item: tuple[Received, str]) -> FileOutcome:
    """Read one file once and check it once (against last year's report when there is one),
    or take its outcome from the cache when the same bytes were checked in the same context."""
    received, scratch = item
    when = received.time.isoformat() if received.time else ""
    if received.problem:
        result = CheckResult(received.name, problem=problem(received.problem).message,
                             problem_code=received.problem)
        return FileOutcome(received.name, result, received=when, origin=received.origin)
    key = cache.file_key(received.path, _CONTEXT)
    entry = cache.load(_OUT, key)
    if entry is not None and entry["report"] is not None and "digest" not in entry["brief"]:
        entry = None  # kept by an earlier form of the cache: checked again
    if entry is not None:
        result = cache.decode_result(entry["result"], received.name)
        brief = None if entry["report"] is None else Brief.cached(
            entry["brief"], Path(scratch), entry["source"])
        return FileOutcome(received.name, result, brief, entry["saved"], received=when,
                           origin=received.origin, key=key)
    read, result = check_file(received.path, lambda r: previous_for(r, _PREVIOUS),
                              received.name, _UNITS, _YEAR)
    brief = None if read is None else Brief.of(read.report, Path(scratch), read.typed,
                                               read.source)
    cache.store(_OUT, key, {
        "result": cache.encode_result(result), "saved": read.saved if read else "",
        "report": Path(brief.scratch).read_text(encoding="utf-8") if brief else None,
        "brief": brief.to_json() if brief else None,
        "typed": dict(read.typed) if read else {}, "source": read.source if read else ""})
    return FileOutcome(received.name, result, brief, read.saved if read else "", received=when,
                       origin=received.origin, key=key)


def _report_text(scratch: str, key: str) -> str:
    """The report's JSON form: from the run's scratch, or from the cache (put in scratch then,
    with what the clerk typed, for whatever else needs it)."""
    path = Path(scratch)
    if not path.exists():
        entry = cache.load(_OUT, key) or {}
        materialise(path, entry.get("report") or "", entry.get("typed") or {})
    return path.read_text(encoding="utf-8")


def _write_one(job: tuple[str, str, str, dict[str, str], str, bool, str]) -> dict[str, str]:
    """A unit's documents and data JSON into the stage: linked from the published results when
    made from the same report, rendered otherwise; returns each one's manifest entry."""
    scratch, key, digest, documents, data_path, draft, stage = job
    made: dict[str, str] = {}
    report = None
    for fmt, target in documents.items():
        relative = os.path.relpath(target, stage).replace(os.sep, "/")
        # the 图解 shows last year's figures too: its key has what --previous gave
        made[relative] = cache.digest("document", fmt, str(draft), digest,
                                      _LAST if fmt.startswith("tujie") else "")
        if not cache.reuse(_OUT, _MADE, relative, made[relative], Path(target)):
            report = report or jsonform.loads(_report_text(scratch, key))
            options = Options(draft=draft, previous=previous_for(report, _PREVIOUS))
            write_atomic(Path(target), FORMATS[fmt].render(report, options))
    relative = os.path.relpath(data_path, stage).replace(os.sep, "/")
    made[relative] = cache.digest("data", digest)
    if not cache.reuse(_OUT, _MADE, relative, made[relative], Path(data_path)):
        write_text_atomic(Path(data_path), _report_text(scratch, key))
    return made


def _map(pool: ProcessPoolExecutor | None, fn: Callable, items: list, tick: Callable) -> list:
    results = []
    iterator = pool.map(fn, items, chunksize=4) if pool else map(fn, items)
    for result in iterator:
        results.append(result)
        tick()
    return results


# ---------------------------------------------------------------- the round


def run(inbox: Path, out: Path, *, roster: Roster | None = None, previous: Path | None = None,
        jobs: int = 1, draft: bool = False, formats: tuple[str, ...] = DEFAULT,
        return_warnings: bool = False, since: Path | None = None,
        progress: Callable[[int], Callable[[], None]] | None = None) -> BatchResult:
    """Validate every file in ``inbox``, render the reports, and write the summary to ``out``.

    ``reports/``, ``data/``, ``findings.json`` and ``汇总.xlsx`` in ``out`` are exactly this
    run's: everything is written into a staging folder first and moved into place at the end,
    so a run that fails half way leaves the last complete run's outputs as they were.
    """
    previous_reports = load_previous(previous)
    earlier = load_since(since)
    with folder(out), publish.stage(out) as stage:
        with tempfile.TemporaryDirectory(prefix="nianbao-inbox-") as scratch:
            files = collect(inbox, Path(scratch) / "inbox", skip=out)
            items = [(received, str(Path(scratch) / "models" / f"{i:05d}.json"))
                     for i, received in enumerate(files)]
            result = _process(items, stage, out, roster, previous_reports, jobs, draft,
                              formats, progress, return_warnings, earlier)
        drawn = {name: fmt in formats for name, fmt in zip(ROUND_TUJIE, ("tujie", "tujie-png"),
                                                            strict=True)}
        publish.publish(stage, out, (*PUBLISHED, *(n for n, made in drawn.items() if made)))
        for name, made in drawn.items():  # a 图解 of an earlier run is no longer this round's
            if not made:
                (out / name).unlink(missing_ok=True)
    return result


def _process(items: list[tuple[Received, str]], stage: Path, out: Path, roster: Roster | None,
             previous_reports: dict[tuple[str, int], Report], jobs: int, draft: bool,
             formats: tuple[str, ...], progress, return_warnings: bool = False,
             earlier: dict[str, dict] | None = None) -> BatchResult:
    units = tuple((u.name, u.parent) for u in roster.units) if roster else ()
    known = roster.settings.year if roster else None
    state = (previous_reports, units, known, out, cache.manifest(out))
    pool = (ProcessPoolExecutor(jobs, initializer=_init, initargs=state)
            if jobs > 1 and len(items) > 1 else None)
    if pool is None:
        _init(*state)
    try:
        tick = progress(len(items)) if progress else (lambda: None)
        outcomes = _map(pool, _check_one, items, tick)
        year = expected_year(roster, outcomes)
        if known is None and year is not None:  # the round's year is known only now
            outcomes = _recheck_other_years(outcomes, items, year)
        rows = decide(outcomes, roster, year, earlier)
        for name in FOLDERS:
            (stage / name).mkdir()
        made: dict[str, str] = {}
        for entries in _map(pool, _write_one,
                            _plan_outputs(outcomes, stage, draft, formats, year), lambda: None):
            made.update(entries)
        for entries in _map(pool, _write_return,
                            plan_returns(rows, stage, roster, return_warnings, year),
                            lambda: None):
            made.update(entries)
    finally:
        if pool is not None:
            pool.shutdown()
    write_text_atomic(stage / cache.MANIFEST, json.dumps(made, ensure_ascii=False, indent=0,
                                                         sort_keys=True))
    cache.prune(out, {o.key for o in outcomes if o.key})
    result = BatchResult(year, rows, outcomes)
    write_chunks_atomic(stage / FINDINGS, json_array_chunks(
        o.result.to_dict() for o in sorted(outcomes, key=lambda o: o.file)))
    write_summary(stage / SUMMARY, result)
    if "tujie" in formats:
        write_round_tujie(stage, result, png="tujie-png" in formats)
    write_text_atomic(stage / RETURNS / NOTICE, notices(rows, roster, year))
    write_state(stage / STATE, rows, outcomes)
    return result


def _write_return(job: ReturnJob) -> dict[str, str]:
    """A 退回件 into the stage: copied when the published one was made from the same inputs."""
    (scratch, file_key, digest), findings, year, contact, target = job
    stage = Path(target).parents[1]
    relative = Path(target).relative_to(stage).as_posix()
    key = cache.digest("return", digest, repr(findings), str(year), contact)
    if not cache.reuse(_OUT, _MADE, relative, key, Path(target)):
        _report_text(scratch, file_key)  # a cached outcome's report, put where it is read
        write_return(job)
    return {relative: key}


def _recheck_other_years(outcomes: list[FileOutcome], items: list[tuple[Received, str]],
                         year: int) -> list[FileOutcome]:
    """Without a roster the round's year is the one most files have; the few files of another
    year are checked again knowing it (their YEAR_MISMATCH)."""
    _set_year(year)
    return [_check_one(item) if o.brief is not None and o.brief.year != year else o
            for o, item in zip(outcomes, items, strict=True)]


def _plan_outputs(outcomes: list[FileOutcome], out: Path, draft: bool, formats: tuple[str, ...],
                  year: int | None) -> list[tuple[str, str, str, dict[str, str], str, bool, str]]:
    """Which files each outcome gets: its data JSON (next year's --previous) when it is of the
    round's year, its documents when it may publish."""
    plan = []
    for o in outcomes:
        if (o.brief is None or o.status in (SUPERSEDED, NOT_TEMPLATE)
                or (year is not None and o.brief.year != year)):
            continue
        name = stem(o.brief.year, o.brief.unit)
        o.data_path = f"{DATA}/{name}.json"
        if o.status in (PASSED, WARNED) or (draft and o.status == FAILED):
            o.documents = {f: f"{REPORTS}/{name}{FORMATS[f].suffix}" for f in formats}
        targets = {f: str(out / path) for f, path in o.documents.items()}
        plan.append((o.brief.scratch, o.key, o.brief.digest, targets, str(out / o.data_path),
                     o.status == FAILED, str(out)))
    return plan


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


__all__ = ["BatchResult", "FileOutcome", "PUBLISHED", "default_jobs", "run"]
