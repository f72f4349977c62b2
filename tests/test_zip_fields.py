"""Every field of a zip's headers at any value: one verdict per file, never an exception.

A zip that Python's zipfile cannot open raises more than BadZipFile — NotImplementedError for a
"version needed" past 6.3 or an unknown method, RuntimeError for encryption, ValueError for a
DOS date no calendar has, struct.error, EOFError, OverflowError. This sets each header field (local
header, central directory, end record) of real nianbao inputs to boundary and random values and
takes the file through each door a zip comes in by: a returned workbook, a published .docx, an
archive in the inbox and a reference .docx for the renderer.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import consistent
from nianbao.api import check_file, import_file
from nianbao.errors import FileProblem, StyleError
from nianbao.outputs import docx as docx_out
from nianbao.round.inbox import collect
from nianbao.workbook.fill import fill_bytes

#: (signature, {field: (offset, width)}) of the three records of a zip (APPNOTE 4.3.7, 4.3.12,
#: 4.3.16)
RECORDS = {
    b"PK\x03\x04": {"version": (4, 2), "flags": (6, 2), "method": (8, 2), "time": (10, 2),
                    "date": (12, 2), "crc": (14, 4), "csize": (18, 4), "usize": (22, 4),
                    "name_len": (26, 2), "extra_len": (28, 2)},
    b"PK\x01\x02": {"made_by": (4, 2), "version": (6, 2), "flags": (8, 2), "method": (10, 2),
                    "time": (12, 2), "date": (14, 2), "crc": (16, 4), "csize": (20, 4),
                    "usize": (24, 4), "name_len": (28, 2), "extra_len": (30, 2),
                    "comment_len": (32, 2), "disk": (34, 2), "internal": (36, 2),
                    "external": (38, 4), "offset": (42, 4)},
    b"PK\x05\x06": {"disk": (4, 2), "cd_disk": (6, 2), "disk_entries": (8, 2),
                    "entries": (10, 2), "cd_size": (12, 4), "cd_offset": (16, 4),
                    "comment_len": (20, 2)},
}
BOUNDARY = (0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x3F, 0x40, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 20, 45, 63,
            99, 171, 8, 12, 14, 93, 98, 0x0801, 0x0041, 0xE000, 0x1F)


def _records(data: bytes, signature: bytes) -> list[int]:
    found, at = [], data.find(signature)
    while at >= 0:
        found.append(at)
        at = data.find(signature, at + 1)
    return found


@st.composite
def field_edits(draw) -> list[tuple[bytes, int, str, int]]:
    """One to three (record, which one, field, value) changes."""
    edits = []
    for _ in range(draw(st.integers(1, 3))):
        signature = draw(st.sampled_from(sorted(RECORDS)))
        name = draw(st.sampled_from(sorted(RECORDS[signature])))
        width = RECORDS[signature][name][1]
        value = draw(st.one_of(st.sampled_from(BOUNDARY), st.integers(0, 256 ** width - 1)))
        edits.append((signature, draw(st.integers(0, 40)), name, value % 256 ** width))
    return edits


def edit(data: bytes, edits: list[tuple[bytes, int, str, int]]) -> bytes:
    raw = bytearray(data)
    for signature, which, name, value in edits:
        places = _records(bytes(raw), signature)
        if not places:
            continue
        offset, width = RECORDS[signature][name]
        at = places[which % len(places)] + offset
        raw[at:at + width] = struct.pack("<H" if width == 2 else "<I", value)
    return bytes(raw)


class Inputs(dict):
    """The three zips by kind (a short repr: hypothesis prints a failing example's arguments)."""

    def __repr__(self) -> str:
        return f"Inputs({sorted(self)})"


@pytest.fixture(scope="module")
def inputs(sample_report, sample_template) -> Inputs:
    filled = fill_bytes(sample_template, consistent(sample_report, 5))
    box = io.BytesIO()
    with zipfile.ZipFile(box, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("高峰镇.xlsx", filled)
        zf.writestr("说明.txt", "本镇报表")
    return Inputs(xlsx=filled, docx=docx_out.render_bytes(sample_report), zip=box.getvalue())


def test_the_edits_reach_what_zipfile_cannot_open(inputs):
    """The judge is not idle: the edits raise each of these from zipfile itself."""
    raised: set[str] = set()
    for signature, name, value in ((b"PK\x01\x02", "version", 171), (b"PK\x01\x02", "method", 99),
                                   (b"PK\x01\x02", "flags", 1), (b"PK\x05\x06", "cd_offset", 7),
                                   (b"PK\x01\x02", "date", 0)):
        try:
            with zipfile.ZipFile(io.BytesIO(edit(inputs["xlsx"], [(signature, 0, name, value)]))
                                 ) as zf:
                info = zf.infolist()[0]
                dt.datetime(*info.date_time)
                zf.read(info)
        except Exception as exc:  # noqa: BLE001 - what the readers must each turn into a verdict
            raised.add(type(exc).__name__)
    assert {"NotImplementedError", "RuntimeError", "BadZipFile", "ValueError"} <= raised, raised


@pytest.mark.parametrize("kind, name", [("xlsx", "报回.xlsx"), ("docx", "年报.docx")])
@settings(max_examples=250, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=field_edits())
def test_a_workbook_or_published_docx_with_any_header_field_gets_one_verdict(
        inputs, tmp_path, kind, name, edits):
    """A returned workbook (validate) and a published .docx (validate and import)."""
    path = tmp_path / name
    path.write_bytes(edit(inputs[kind], edits))
    read, result = check_file(path)
    assert result.problem_code != "INTERNAL", (edits, result.problem)
    assert (read is None) == bool(result.problem)
    if kind == "docx":
        try:
            import_file(path)
        except FileProblem as exc:
            assert exc.code != "INTERNAL", (edits, exc.message)


@settings(max_examples=250, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=field_edits(), nested=st.booleans())
def test_an_inbox_archive_with_any_header_field_gives_rows(inputs, tmp_path, edits, nested):
    box = tmp_path / ("box" if nested else "")
    box.mkdir(exist_ok=True)
    archive = box / "报回.zip"
    archive.write_bytes(edit(inputs["zip"], edits))
    try:
        files = collect(box if nested else archive, tmp_path / "scratch")
    except FileProblem as exc:  # the inbox itself unreadable: one line from the CLI
        assert not nested and exc.code in {"TRUNCATED", "BOMB"}, (edits, nested, exc.code)
        return
    assert files, edits
    for received in files:
        assert received.time is None or received.time.year >= 1980


@settings(max_examples=120, deadline=None, derandomize=True)
@given(edits=field_edits())
def test_a_reference_docx_with_any_header_field_renders_or_says_why(sample_report, edits):
    reference = edit(docx_out.render_bytes(sample_report), edits)
    try:
        docx_out.render_bytes(sample_report, reference=reference)
    except StyleError as exc:
        assert "样式文档无法使用" in str(exc)
