"""Incremental rounds: a rerun or an upload checks and renders only what is new, and its
results are byte for byte those of a full run over the same inbox (property test over random
sequences of files arriving, being replaced and being withdrawn)."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from conftest import consistent, with_figures
from nianbao.model.unit import Settings, Unit
from nianbao.round import batch, cache
from nianbao.workbook import template
from nianbao.workbook.fill import fill_bytes

UNITS = [Unit(f"井研县{n}人民政府", "井研县", "乡镇") for n in ("高凤镇", "马踏镇", "千佛镇")]


@pytest.fixture(scope="module")
def pool(sample_report) -> list[tuple[str, bytes]]:
    """Files a round may receive: passing, failing and warning returns of three units, a
    broken one, last year's."""
    texts = {**sample_report.texts, "TEXT_ON_REQUEST": "本年度依申请公开工作按规定办理。"}
    files = []
    for i, unit in enumerate(UNITS):
        good = dataclasses.replace(consistent(sample_report, i), unit=unit.name, texts=texts)
        bad = with_figures(good, T3_NEW_NATURAL=int(good.figure("T3_NEW_NATURAL")) + 1)
        blank = template.build_bytes(unit, Settings(2024))
        files += [(f"{i}-好.xlsx", fill_bytes(blank, good)), (f"{i}-错.xlsx", fill_bytes(blank, bad)),
                  (f"{i}-空格.xlsx", fill_bytes(blank, good, {"T4_REVIEW_OTHER": None}))]
    other = dataclasses.replace(consistent(sample_report, 7), unit=UNITS[0].name, texts=texts)
    files.append(("0-好2.xlsx", fill_bytes(template.build_bytes(UNITS[0], Settings(2024)), other)))
    files.append(("坏.xlsx", b"PK\x03\x04 broken"))
    old = dataclasses.replace(consistent(sample_report, 9), unit=UNITS[0].name, year=2023,
                              texts=texts)
    files.append(("去年.xlsx", fill_bytes(template.build_bytes(UNITS[0], Settings(2023)), old)))
    return files


def published(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and p.name != ".nianbao.lock"
            and not p.relative_to(out).parts[0] == cache.FOLDER}


STEP = st.tuples(st.sampled_from(["add", "replace", "remove"]), st.integers(0, 11),
                 st.integers(0, 11))


@settings(max_examples=12, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(STEP, min_size=1, max_size=4), draft=st.booleans())
@example(steps=[("add", 0, 0), ("replace", 9, 0)], draft=False)  # a unit sends a new report
@example(steps=[("add", 1, 0), ("add", 10, 0), ("remove", 0, 0)], draft=True)
def test_an_incremental_run_gives_what_a_full_run_gives(tmp_path_factory, pool, steps, draft):
    root = tmp_path_factory.mktemp("incremental")
    inbox, kept = root / "收件箱", root / "结果"
    inbox.mkdir()
    options = {"jobs": 1, "draft": draft, "formats": ("docx", "html")}
    for n, (action, which, other) in enumerate(steps):
        name, data = pool[which % len(pool)]
        present = sorted(inbox.iterdir())
        if action == "add" or not present:
            (inbox / f"{n}-{name}").write_bytes(data)
        elif action == "replace":
            present[other % len(present)].write_bytes(data)
        else:
            present[other % len(present)].unlink()
        batch.run(inbox, kept, **options)
        fresh = root / f"full{n}"
        batch.run(inbox, fresh, **options)
        assert published(kept) == published(fresh), (n, steps)
        shutil.rmtree(fresh)


def test_a_rerun_checks_and_renders_nothing_again(tmp_path, pool, monkeypatch):
    inbox, out = tmp_path / "收件箱", tmp_path / "结果"
    inbox.mkdir()
    for name, data in pool[:6]:
        (inbox / name).write_bytes(data)
    batch.run(inbox, out, jobs=1, formats=("docx", "html"))
    first = published(out)
    checked, rendered = [], []
    real_check, real_render = batch.check_file, batch.FORMATS["docx"].render
    monkeypatch.setattr(batch, "check_file", lambda *a, **k: checked.append(a[0]) or real_check(*a, **k))
    monkeypatch.setitem(batch.FORMATS, "docx", dataclasses.replace(
        batch.FORMATS["docx"], render=lambda r, o: rendered.append(r.unit) or real_render(r, o)))
    batch.run(inbox, out, jobs=1, formats=("docx", "html"))
    assert checked == [] and rendered == []
    assert published(out) == first
    (inbox / "新.xlsx").write_bytes(pool[7][1])  # one upload: only it is checked
    batch.run(inbox, out, jobs=1, formats=("docx", "html"))
    assert [Path(p).name for p in checked] == ["新.xlsx"]


def test_an_archive_is_known_again_when_the_file_changes(tmp_path):
    """is_archive remembers a file version, not a path: replaced content is looked at anew."""
    import io
    import os
    import zipfile

    from nianbao.round.inbox import is_archive

    def zipped(names: list[str]) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for name in names:
                zf.writestr(name, b"x")
        return buf.getvalue()

    path = tmp_path / "收到.xlsx"
    path.write_bytes(zipped(["[Content_Types].xml", "xl/workbook.xml"]))
    assert not is_archive(path)
    path.write_bytes(zipped(["高凤镇.xlsx", "马踏镇.xlsx"]))
    os.utime(path, ns=(1, path.stat().st_mtime_ns + 1_000_000))  # whatever the clock's grain
    assert is_archive(path)
