"""Every class of the hostile corpus (tests/hostile.py) gets its own file problem or is read,
within its time and memory bound, and is left exactly as it was; none ends as INTERNAL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import hostile

HERE = Path(__file__).resolve().parent
BY_NAME = {case.name: case for case in hostile.CASES}


def test_the_corpus_has_at_least_a_hundred_distinct_classes_of_every_kind():
    assert len(BY_NAME) == len(hostile.CASES) >= 100
    kinds = {Path(c.filename).suffix or "(none)" for c in hostile.CASES}
    assert {".xlsx", ".json", ".html", ".pdf", ".docx"} <= kinds


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, dict]:
    """The corpus read in a fresh interpreter (so its peak memory says what the reads cost)."""
    folder = tmp_path_factory.mktemp("hostile")
    done = subprocess.run([sys.executable, str(HERE / "hostile.py"), str(folder)],
                          capture_output=True, text=True, timeout=1800, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return {row["name"]: row for row in rows}


@pytest.mark.parametrize("name", list(BY_NAME))
def test_a_hostile_class_is_refused_or_read_within_its_bounds(outcomes, name):
    got = outcomes[name]
    case = BY_NAME[name]
    assert got["code"] in case.expected, got
    assert got["code"] != "INTERNAL"
    assert got["unchanged"], "the input was modified"
    assert got["seconds"] < hostile.SECONDS, got
    assert got["growth_mb"] < hostile.GROWTH_MB, got
    limit_mb = (hostile.PDF_MEMORY / 2**20) * 1.6  # the child's cap over what it started with
    assert got["children_mb"] < limit_mb, got
