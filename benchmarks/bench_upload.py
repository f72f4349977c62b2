"""Seconds from an upload of one file to its status, in a round of N files, in one run.

    python benchmarks/bench_upload.py              # 1,000 returned workbooks
    python benchmarks/bench_upload.py --files 200

The round is made once (a roster of N units, each with its returned workbook, batch run over
them). Then, in the same run: a full batch of the N files into a fresh folder (the floor of
what a rerun without the cache costs), a rerun over the same inbox (nothing new), and what
serve does for one upload (store the file, refresh the round, answer its row) — the figure a
clerk waits for. Printed as seconds and as ratios to the full run.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

from bench_serve import write_roster

from nianbao.demo import sample
from nianbao.round import batch
from nianbao.serve.folder import INBOX, RESULTS, ROSTER, RoundFolder
from nianbao.workbook import template
from nianbao.workbook.fill import fill_bytes
from nianbao.workbook.roster import read_roster


def make_round(root: Path, n: int) -> bytes:
    """N units, N - 1 returns in the inbox; the last unit's return is given back to upload."""
    roster = write_roster(root, n)
    report = sample()
    (root / INBOX).mkdir()
    blank = template.build_bytes(roster.units[0], roster.settings)
    last = b""
    for unit in roster.units:
        filled = dataclasses.replace(report, unit=unit.name, title="")
        data = fill_bytes(template.build_bytes(unit, roster.settings), filled) if unit != \
            roster.units[0] else fill_bytes(blank, filled)
        if unit is roster.units[-1]:
            last = data
        else:
            (root / INBOX / f"{unit.name}.xlsx").write_bytes(data)
    return last


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "轮次"
        upload = make_round(root, args.files)
        roster = read_roster(root / ROSTER)
        kwargs = {"roster": roster, "jobs": 1, "formats": ("docx", "html")}
        full = timed(lambda: batch.run(root / INBOX, Path(tmp) / "full", **kwargs))
        timed(lambda: batch.run(root / INBOX, root / RESULTS, **kwargs))  # the round as served
        rerun = timed(lambda: batch.run(root / INBOX, root / RESULTS, **kwargs))
        folder = RoundFolder(root)

        def one_upload() -> None:
            stored = folder.store("新报送.xlsx", upload)
            folder.refresh()
            answers = folder.outcomes(stored)
            assert answers and "status" in answers[0], answers

        answered = timed(one_upload)
    print(f"{args.files} files, 1 job")
    print(f"full run (no cache)             {full:7.2f} s   1.00")
    print(f"rerun, nothing new              {rerun:7.2f} s   {rerun / full:.3f}")
    print(f"one upload answered (serve)     {answered:7.2f} s   {answered / full:.3f}")


if __name__ == "__main__":
    main()
