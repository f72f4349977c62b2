"""Batch throughput and peak memory against a naive baseline, measured in one run.

    python benchmarks/bench_batch.py            # N = 100 and N = 1,000, --jobs 2
    python benchmarks/bench_batch.py --sizes 50 --baseline 20

Each measurement runs in a fresh child process, so peak RSS (ru_maxrss of the process and of
its largest worker) belongs to that measurement alone. The baseline is what a careful script
would do without nianbao's design: openpyxl loads each workbook in full, the same rules run,
and python-docx builds each report from scratch, in one process.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path

from nianbao import spec
from nianbao.checks import check_reading
from nianbao.demo import sample
from nianbao.model.report import Report
from nianbao.model.unit import Settings, Unit
from nianbao.outputs import docx, outline
from nianbao.round import batch
from nianbao.sources.base import Reading
from nianbao.workbook import template


def synthetic(i: int) -> Report:
    """A random but consistent fill for unit i; about one in six has a column that is off."""
    rng = random.Random(i)
    figures: dict[str, Decimal] = {}
    for ckey, _ in spec.T3_APPLICANTS:
        results = {r: rng.randint(0, 4) for r in spec.T3_RESULT_ROWS}
        forward = rng.randint(0, 2)
        total = sum(results.values()) + forward
        carried = rng.randint(0, min(2, total))
        figures.update({f"T3_{r}_{ckey}": Decimal(n) for r, n in results.items()})
        figures[f"T3_CARRIED_FORWARD_{ckey}"] = Decimal(forward)
        figures[f"T3_CARRIED_IN_{ckey}"] = Decimal(carried)
        figures[f"T3_NEW_{ckey}"] = Decimal(total - carried)
    for fig in spec.T2.figures + spec.T4.figures:
        if not fig.computed and fig.kind == spec.COUNT and not fig.code.startswith("T2_REG"):
            figures[fig.code] = Decimal(rng.randint(0, 30))
    figures["T2_FEES"] = Decimal(rng.randint(0, 10**6)) / 10**4
    if i % 6 == 5:
        figures["T3_NEW_LEGAL"] += 1
    base = sample()
    texts = {**base.texts, "TEXT_ON_REQUEST": "本年度依申请公开工作按规定办理。"}
    return dataclasses.replace(base, unit=f"井研县第{i:04d}号单位", texts=texts,
                               figures=figures).with_totals()


def _make(args: tuple[int, str]) -> None:
    i, folder = args
    report = synthetic(i)
    unit = Unit(report.unit, report.parent, report.level)
    data = template.build_bytes(unit, Settings(report.year, website=report.website),
                                prefill=report)
    Path(folder, f"{i:05d}.xlsx").write_bytes(data)


def generate(n: int, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_make, [(i, str(folder)) for i in range(n)], chunksize=16))


# ---------------------------------------------------------------- the two contenders


def run_nianbao(inbox: Path, out: Path, jobs: int) -> int:
    result = batch.run(inbox, out, jobs=jobs)
    return len(result.files)


def _naive_read(path: Path) -> Report:
    import openpyxl

    wb = openpyxl.load_workbook(path)  # the full object model, formulas and styles
    meta = {ws_row[0].value: ws_row[1].value for ws_row in wb["_meta"].iter_rows()}
    figures = {}
    for code in spec.INPUT_CODES:
        sheet, coord = next(iter(wb.defined_names[code].destinations))
        value = wb[sheet][coord.replace("$", "")].value
        figures[code] = Decimal(str(value or 0))
    texts = {}
    for fld in spec.TEXT_FIELDS:
        sheet, coord = next(iter(wb.defined_names[fld.code].destinations))
        texts[fld.code] = str(wb[sheet][coord.replace("$", "")].value or "")
    return Report(unit=meta["unit"], year=int(meta["year"]), level=meta["level"],
                  parent=meta["parent"], texts=texts, figures=figures,
                  website=meta["website"]).with_totals()


def run_baseline(inbox: Path, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    files = sorted(inbox.glob("*.xlsx"))
    for path in files:
        report = _naive_read(path)
        result = check_reading(Reading(report), path.name)
        # python-docx builds the whole styled document from scratch for every report
        blocks = outline.outline(report)
        data = docx.Skeleton(docx.shape_of(blocks), False, None, None).fill(report, blocks)
        (out / f"{path.stem}.docx").write_bytes(data)
        (out / f"{path.stem}.json").write_text(json.dumps(result.to_dict(), ensure_ascii=False))
    return len(files)


def measure(kind: str, inbox: Path, jobs: int) -> dict:
    """Run one contender in this (fresh) process and report time and peak memory."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        n = run_nianbao(inbox, Path(out), jobs) if kind == "nianbao" else run_baseline(
            inbox, Path(out))
        seconds = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"kind": kind, "files": n, "seconds": seconds, "per_s": n / seconds,
            "peak_mb": max(own, workers), "main_mb": own, "worker_mb": workers}


def child(kind: str, inbox: Path, jobs: int) -> dict:
    cmd = [sys.executable, __file__, "--measure", kind, "--inbox", str(inbox), "--jobs", str(jobs)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--baseline", type=int, default=100, help="files for the baseline run")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--measure", choices=["nianbao", "baseline"])
    parser.add_argument("--inbox", type=Path)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.inbox, args.jobs)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        largest = max(args.sizes + [args.baseline])
        pool = Path(tmp) / "all"
        generate(largest, pool)
        for n in sorted(set(args.sizes + [args.baseline])):
            inbox = Path(tmp) / f"n{n}"
            inbox.mkdir()
            for path in sorted(pool.glob("*.xlsx"))[:n]:
                os.link(path, inbox / path.name)
            if n in args.sizes:
                rows.append(child("nianbao", inbox, args.jobs) | {"n": n})
            if n == args.baseline:
                rows.append(child("baseline", inbox, 1) | {"n": n})
    print(f"{'contender':<22}{'N':>6}{'files/s':>10}{'seconds':>10}{'peak MB':>10}"
          f"{'main MB':>10}{'worker MB':>10}")
    for r in rows:
        name = f"nianbao --jobs {args.jobs}" if r["kind"] == "nianbao" else "baseline (1 process)"
        print(f"{name:<22}{r['n']:>6}{r['per_s']:>10.1f}{r['seconds']:>10.2f}{r['peak_mb']:>10.1f}"
              f"{r['main_mb']:>10.1f}{r['worker_mb']:>10.1f}")
    ours = [r for r in rows if r["kind"] == "nianbao" and r["n"] == args.baseline]
    base = [r for r in rows if r["kind"] == "baseline"]
    if ours and base:
        print(f"throughput ratio at N={args.baseline}: {ours[0]['per_s'] / base[0]['per_s']:.1f}x")
    runs = sorted((r for r in rows if r["kind"] == "nianbao"), key=lambda r: r["n"])
    if len(runs) > 1:
        small, big = runs[0], runs[-1]
        print(f"peak memory N={big['n']} / N={small['n']}: {big['peak_mb'] / small['peak_mb']:.2f}")


if __name__ == "__main__":
    main()
