"""A run's results appear in one step: killed at every step of a run (kill -9 semantics: no
finally, no cleanup), the results folder holds the previous complete set or the new complete
set, never a mix; leftovers are cleaned by the next run; a failed switch is undone; the CLI
and serve are ordered by the results lock."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from conftest import consistent, with_figures
from nianbao.errors import OutputError
from nianbao.model.unit import Settings, Unit
from nianbao.round import batch, cache, publish
from nianbao.workbook import template
from nianbao.workbook.fill import fill_bytes

HARNESS = """
import os, sys
from pathlib import Path
kill_at, calls, real = int(sys.argv[1]), [0], os.replace
def replace(a, b):
    calls[0] += 1
    if calls[0] == kill_at:
        os._exit(137)  # as kill -9: no finally block, no cleanup
    real(a, b)
os.replace = replace
from nianbao.round import batch
batch.run(Path(sys.argv[2]), Path(sys.argv[3]), jobs=1)
print(calls[0])
"""


def snapshot(out: Path) -> dict[str, str]:
    """Every result file by its path under ``out`` and the hash of its bytes (outputs are
    deterministic); the lock file, a live run's stage and the cache of checked files are not
    results. A kill's leftover
    still shows: the tests look through ``results_lock``, which must have removed it."""
    live = {s.name for s in out.glob(publish.STAGE_PREFIX + "*") if not publish._abandoned(s)}
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and p.name != publish.LOCK
            and p.relative_to(out).parts[0] not in live | {cache.FOLDER}}


def _workbook(report, unit: str) -> bytes:
    filled = dataclasses.replace(report, unit=unit, title="")
    return fill_bytes(template.build_bytes(Unit(unit, "井研县", "乡镇"), Settings(report.year)),
                      filled)


@pytest.fixture(scope="module")
def rounds(tmp_path_factory, sample_report):
    """Two inboxes of one round (the second changes one unit, adds one, drops none) and the
    complete results of each, made by uninterrupted runs."""
    tmp = tmp_path_factory.mktemp("rounds")
    good = consistent(sample_report, 1)
    bad = with_figures(good, T3_NEW_NATURAL=int(good.figures["T3_NEW_NATURAL"]) + 3)
    first, second = tmp / "inbox1", tmp / "inbox2"
    for folder in (first, second):
        folder.mkdir()
    (first / "甲.xlsx").write_bytes(_workbook(good, "井研县甲镇人民政府"))
    (first / "乙.xlsx").write_bytes(_workbook(bad, "井研县乙镇人民政府"))
    (second / "甲.xlsx").write_bytes(_workbook(bad, "井研县甲镇人民政府"))
    (second / "乙.xlsx").write_bytes(_workbook(good, "井研县乙镇人民政府"))
    (second / "丙.xlsx").write_bytes(_workbook(good, "井研县丙镇人民政府"))
    one, two = tmp / "results1", tmp / "results2"
    batch.run(first, one, jobs=1)
    batch.run(second, two, jobs=1)
    assert snapshot(one) != snapshot(two)
    return first, second, one, two


def _harness(kill_at: int, inbox: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", HARNESS, str(kill_at), str(inbox), str(out)],
                          capture_output=True, text=True, timeout=300, check=False)


def test_a_run_killed_at_any_step_leaves_the_previous_or_the_new_complete_set(tmp_path, rounds):
    _, second, one, two = rounds
    old, new = snapshot(one), snapshot(two)
    counting = tmp_path / "counting"
    shutil.copytree(one, counting)
    done = _harness(0, second, counting)
    assert done.returncode == 0, done.stderr
    steps = int(done.stdout.split()[-1])
    assert steps >= 2 * len(batch.PUBLISHED)  # the staged writes and the switch
    seen = set()
    for step in range(1, steps + 1):
        out = tmp_path / f"step{step:02d}"
        shutil.copytree(one, out)
        killed = _harness(step, second, out)
        assert killed.returncode == 137, (step, killed.stderr)
        with publish.results_lock(out):  # whoever reads next completes or discards the run
            state = snapshot(out)
        assert state in (old, new), f"a mix after a kill at step {step} of {steps}"
        seen.add("new" if state == new else "old")
        assert not list(out.glob(publish.STAGE_PREFIX + "*")), step
        assert not (out / publish.JOURNAL).exists()
        batch.run(second, out, jobs=1)  # and the next run publishes as usual
        assert snapshot(out) == new
    assert seen == {"old", "new"}  # kills before and after the switch point were both tried


@pytest.mark.parametrize("refused", ["moving the open file away", "the new file coming in"])
def test_a_switch_that_fails_half_way_is_undone(tmp_path, rounds, monkeypatch, refused):
    """A file held open by another program (Windows refuses to rename it), or a move refused
    once: the previous complete set stays, and the error names the file."""
    _, second, one, _ = rounds
    out = tmp_path / "out"
    shutil.copytree(one, out)
    old = snapshot(out)
    real, refusals = publish._replace, []

    def refuse_the_summary(source: Path, target: Path) -> None:
        held = source if refused == "moving the open file away" else target
        if held == out / batch.SUMMARY and (refused != "the new file coming in" or not refusals):
            refusals.append(held)
            raise PermissionError(13, "Permission denied")
        real(source, target)

    monkeypatch.setattr(publish, "_replace", refuse_the_summary)
    with pytest.raises(OutputError) as caught:
        batch.run(second, out, jobs=1)
    assert batch.SUMMARY in caught.value.message
    assert snapshot(out) == old
    assert not list(out.glob(publish.STAGE_PREFIX + "*"))


def test_a_stage_of_a_live_run_is_never_taken_for_a_leftover(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with publish.stage(out) as live:
        (live / "findings.json").write_text("[]", encoding="utf-8")
        with publish.results_lock(out):
            pass  # recover() ran here
        assert live.is_dir() and (live / "findings.json").exists()
    dead = out / (publish.STAGE_PREFIX + "dead")
    dead.mkdir()  # a run that died before it locked its stage
    with publish.results_lock(out):
        pass
    assert not dead.exists()


def test_the_cli_waits_for_the_lock_serve_holds(tmp_path, rounds):
    """Another process publishing into the same results waits until the lock is released."""
    _, second, one, two = rounds
    out = tmp_path / "out"
    shutil.copytree(one, out)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    with publish.results_lock(out):
        run = subprocess.Popen([sys.executable, "-m", "nianbao", "batch", str(second), "--out",
                                str(out), "--jobs", "1"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        staged = None
        while staged is None and time.monotonic() < deadline and run.poll() is None:
            staged = next((s for s in out.glob(publish.STAGE_PREFIX + "*")
                           if (s / "round.json").exists()), None)
            time.sleep(0.05)
        assert staged is not None, f"the run ended with {run.poll()} before staging"
        for _ in range(20):  # the run is ready to publish and must keep waiting
            assert run.poll() is None and not (out / publish.JOURNAL).exists()
            time.sleep(0.05)
        assert snapshot(out) == snapshot(one)
    assert run.wait(timeout=120) == 1  # the round has a unit with errors
    assert snapshot(out) == snapshot(two)


def test_a_run_makes_its_results_durable_once_not_one_fsync_per_file(tmp_path, rounds,
                                                                     monkeypatch):
    """#23: the stage's files are written without an fsync each and made durable together
    (one os.sync) before the switch; a file written outside a stage is still fsynced."""
    first, second, _, _ = rounds
    from nianbao import outfile

    fsyncs: list[int] = []
    syncs: list[int] = []
    monkeypatch.setattr(os, "fsync", lambda fd: fsyncs.append(fd))
    monkeypatch.setattr(os, "sync", lambda: syncs.append(1), raising=False)
    counts = []
    for inbox in (first, second):  # two units, then three
        fsyncs.clear()
        syncs.clear()
        batch.run(inbox, tmp_path / inbox.name, jobs=1)
        assert len(syncs) == 1
        counts.append(len(fsyncs))
    assert counts[0] == counts[1] <= 2  # the journal only: not one per output file
    fsyncs.clear()
    outfile.write_atomic(tmp_path / "单独" / "a.txt", b"x")
    assert len(fsyncs) == 1
    fsyncs.clear()
    outfile.write_atomic(tmp_path / (publish.STAGE_PREFIX + "x") / "b.txt", b"x")
    assert fsyncs == []


def test_without_os_sync_each_staged_file_is_flushed(tmp_path, monkeypatch):
    """Windows has no os.sync: every file of the stage is fsynced before it is published."""
    from nianbao import outfile

    stage = tmp_path / (publish.STAGE_PREFIX + "w")
    (stage / "reports").mkdir(parents=True)
    for name in ("reports/a.docx", "reports/b.docx", "汇总.xlsx"):
        (stage / name).write_bytes(b"data")
    flushed: list[int] = []
    monkeypatch.delattr(os, "sync", raising=False)
    monkeypatch.setattr(os, "fsync", lambda fd: flushed.append(fd))
    outfile.sync_tree(stage)
    assert len(flushed) == 3


@settings(max_examples=200, deadline=None)
@given(st.lists(st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8), max_size=5))
def test_findings_written_as_a_stream_are_the_bytes_of_one_dump(items):
    """findings.json is written item by item (#23): the same bytes as one json.dumps."""
    from nianbao.outfile import json_array_chunks

    expected = json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    assert "".join(json_array_chunks(iter(items))) == expected
