"""Seeded mutations of a filled workbook's XML and zip structure: every file gets exactly one
verdict, and neither ``validate`` nor ``batch`` ever exits 4 or prints a traceback."""

from __future__ import annotations

import io
import json
import random
import warnings
import zipfile

import pytest
from click.testing import CliRunner

from conftest import consistent
from nianbao.api import check_file
from nianbao.cli import cli
from nianbao.workbook.fill import fill_bytes

SEEDS = 1000
TOKENS = (b"<", b">", b"&", b'"', b"</c>", b"</row>", b"<row>", b"\x00", b"\xff\xfe", b"&amp;",
          b'<c r="A1" t="s"><v>99999999</v></c>', b'<c r="B2" t="s"><v>-1</v></c>',
          b"<v>1e400</v>", b"<v>NaN</v>", b"<v>--3</v>", b'<c r="ZZZZ99999999"><v>1</v></c>',
          b'<c r="A1048576"><v>1</v></c>', b"<f>SUM(</f>", b'<f t="shared" si="7"/>',
          b'<!DOCTYPE x [<!ENTITY a "b">]>', b"&a;", b"_x000D_", b"_xD800_", b"<is><t>x</t></is>",
          b't="inlineStr"', b't="b"', b't="e"', b't="d"', b'r=""', b"\xe4\xb8", b"<v></v>",
          b'<definedName name="T2_FEES">bad</definedName>', b"<sheet/>", b'Target="../../x"')


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():  # a duplicate member name is one of the mutations
        warnings.simplefilter("ignore", UserWarning)
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, body in members:
                zf.writestr(name, body)
    return buf.getvalue()


def _mutate_part(body: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(body) + 1)
    kind = rng.randrange(5)
    if kind == 0:
        return body[:at] + rng.choice(TOKENS) + body[at:]
    if kind == 1:
        return body[:at] + body[at + rng.randint(1, 400):]
    if kind == 2:
        end = min(len(body), at + rng.randint(1, 200))
        return body[:end] + body[at:end] * rng.randint(1, 30) + body[end:]
    if kind == 3:
        return body[:at]
    return bytes(b ^ rng.randrange(256) if rng.random() < 0.002 else b for b in body)


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One seeded mutation of the package or of one of its XML parts."""
    kind = rng.randrange(10)
    if kind == 0:
        return data[:rng.randrange(len(data))]
    if kind == 1:
        raw = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        return bytes(raw)
    members = [(info.filename, body) for info, body in _members(data)]
    i = rng.randrange(len(members))
    name, body = members[i]
    if kind == 2:
        del members[i]
    elif kind == 3:
        members[i] = (name.upper() if rng.random() < 0.5 else name.swapcase(), body)
    elif kind == 4:
        members.append((name, body))  # a duplicate member name
    else:
        xml = [j for j, (n, _) in enumerate(members) if n.endswith((".xml", ".rels"))]
        j = rng.choice(xml)
        members[j] = (members[j][0], _mutate_part(members[j][1], rng))
    return _zip(members)


@pytest.fixture(scope="module")
def filled(sample_report, sample_template):
    return fill_bytes(sample_template, consistent(sample_report, 5))


def test_a_thousand_mutations_each_get_one_verdict(filled, tmp_path):
    codes: dict[str, int] = {}
    for seed in range(SEEDS):
        path = tmp_path / f"{seed:04d}.xlsx"
        path.write_bytes(mutate(filled, random.Random(seed)))
        read, result = check_file(path)
        assert result.file == str(path)
        assert (read is None) == bool(result.problem), seed
        key = result.problem_code or ("ok" if result.ok else "findings")
        codes[key] = codes.get(key, 0) + 1
        assert result.problem_code != "INTERNAL", (seed, result.problem)
    assert sum(codes.values()) == SEEDS
    assert len(codes) >= 4, codes  # the mutations reach several verdicts, not one


def test_validate_and_batch_over_mutated_files_never_exit_4(filled, tmp_path):
    box = tmp_path / "in"
    box.mkdir()
    for seed in range(SEEDS, SEEDS + 120):
        (box / f"{seed}.xlsx").write_bytes(mutate(filled, random.Random(seed)))
    runner = CliRunner()
    files = sorted(box.iterdir())
    result = runner.invoke(cli, ["validate", "--format", "json", *map(str, files)])
    assert result.exit_code in (0, 1, 3) and "Traceback" not in result.output
    assert len(json.loads(result.stdout)) == len(files)
    out = tmp_path / "out"
    result = runner.invoke(cli, ["batch", str(box), "--out", str(out), "--jobs", "2"])
    assert result.exit_code in (0, 1, 3) and "Traceback" not in result.output
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert sorted(f["file"] for f in findings) == sorted(p.name for p in files)
