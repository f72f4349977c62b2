"""What a round produces, as canonical text: run before and after a refactoring and diff.

    python benchmarks/snapshot.py OUT.json

Runs the demo and the batch test's 37-file inbox (through pytest, with a fixed --basetemp),
then writes findings.json, every data/*.json, every 汇总.xlsx cell and every report's paragraph
and table text, keyed by relative path. Two snapshots that are equal mean the round behaves
the same, byte layout of the zip files aside.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
from docx import Document

ROOT = Path(__file__).resolve().parents[1]


def _docx(path: Path) -> list[object]:
    doc = Document(io.BytesIO(path.read_bytes()))
    paras = [p.text for p in doc.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return [paras, tables]


def _xlsx(path: Path) -> dict[str, list[list[object]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[None if v is None else str(v) for v in row]
                       for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def snapshot(out: Path) -> dict[str, object]:
    found: dict[str, object] = {}
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        key = path.relative_to(out).as_posix()
        if path.suffix == ".docx":
            found[key] = _docx(path)
        elif path.name == "汇总.xlsx":
            found[key] = _xlsx(path)
        elif path.suffix == ".json":
            found[key] = json.loads(path.read_text(encoding="utf-8"))
    return found


def main() -> None:
    target = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        subprocess.run([sys.executable, "-m", "nianbao", "demo", "--out", str(demo)],
                       check=True, capture_output=True)
        base = Path(tmp) / "pytest"
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        f"--basetemp={base}",
                        "tests/test_batch.py::test_every_unit_gets_its_status"],
                       check=True, cwd=ROOT, capture_output=True)
        result = {"demo": snapshot(demo / "result"), "inbox": snapshot(base / "out10")}
    target.write_text(json.dumps(result, ensure_ascii=False, indent=1, sort_keys=True),
                      encoding="utf-8")
    print(f"{target}: {sum(len(v) for v in result.values())} outputs")


if __name__ == "__main__":
    main()
