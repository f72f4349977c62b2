"""What a round already knows, by content: a rerun or an upload checks and renders only what is
new, and the result is the one a full run gives.

- A file's outcome (its check result, its brief and report, what the clerk typed) is kept under the
  sha256 of nianbao's version, the round's context (roster, year, last year's reports) and the
  file's bytes, in ``OUT/.nianbao-cache/``: the same bytes in the same round check the same.
- An output (a report in a format, a data JSON, a 退回件) is keyed by what it is made from; the
  manifest of the published results (``OUT/.nianbao-outputs.json``, switched with them) says
  which key each file there was made from, so an unchanged one is copied, not rendered again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from .. import __version__
from ..checks.findings import CheckResult, Finding
from ..errors import NianbaoError
from ..model import jsonform
from ..model.report import Report
from ..outfile import write_text_atomic

FOLDER = ".nianbao-cache"
MANIFEST = ".nianbao-outputs.json"


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256(__version__.encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def previous_key(previous: dict[tuple[str, int], Report]) -> str:
    """Last year's reports as part of a file's context (the roster and the year are added by
    the round, which knows when its year changes)."""
    return digest(*(jsonform.dumps(previous[k]) for k in sorted(previous)))


def file_key(path: Path, context: str) -> str:
    return digest(context, Path(path).read_bytes())


# ---------------------------------------------------------------- check outcomes


def _finding(data: dict[str, Any]) -> Finding:
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    return Finding(**fields)


def encode_result(result: CheckResult) -> dict[str, Any]:
    return {"unit": result.unit, "year": result.year, "problem": result.problem,
            "problem_code": result.problem_code,
            "findings": [{k: list(v) if isinstance(v, tuple) else v
                          for k, v in vars(f).items()} for f in result.findings]}


def decode_result(data: dict[str, Any], file: str) -> CheckResult:
    return CheckResult(file, data["unit"], data["year"],
                       tuple(_finding(f) for f in data["findings"]), data["problem"],
                       data["problem_code"])


def load(folder: Path, key: str) -> dict[str, Any] | None:
    try:
        entry = json.loads((folder / FOLDER / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return entry if isinstance(entry, dict) and entry.get("key") == key else None


def store(folder: Path, key: str, entry: dict[str, Any]) -> None:
    """Keep an outcome; a cache that cannot be written (a full disk) only costs time later."""
    try:
        write_text_atomic(folder / FOLDER / f"{key}.json",
                          json.dumps({"key": key, **entry}, ensure_ascii=False), durable=False)
    except NianbaoError:
        pass


def prune(folder: Path, used: set[str]) -> None:
    """Forget outcomes no file of this round has (files removed from the inbox, old versions)."""
    for entry in (folder / FOLDER).glob("*.json"):
        if entry.stem not in used:
            entry.unlink(missing_ok=True)


# ---------------------------------------------------------------- outputs


def manifest(out: Path) -> dict[str, str]:
    """Relative path → key of every output the published results were made from."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) \
        else {}


def reuse(out: Path, known: dict[str, str], relative: str, key: str, target: Path) -> bool:
    """Copy ``relative`` from the published results into ``target`` when it was made from the
    same inputs (a hard link where the folder allows one); False when it must be made anew."""
    source = out / relative
    if known.get(relative) != key or not source.is_file():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
    return True
