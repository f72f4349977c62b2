"""图解 rendering cost per report, as a ratio to the .docx render of the same report (#26).

    python benchmarks/bench_tujie.py            # 60 reports, each rendered three ways

All three are timed in one run over the same reports (random fills of the sample), so the
machine's noise falls on each; the figures are per report and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from conftest import consistent  # noqa: E402
from nianbao.demo import sample  # noqa: E402
from nianbao.outputs import docx, tujie  # noqa: E402


def _per_report(fn, reports) -> float:
    times = []
    for report in reports:
        start = time.perf_counter()
        fn(report)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=60)
    args = parser.parse_args()
    reports = [consistent(sample(), seed) for seed in range(args.reports)]
    docx.render_bytes(reports[0]), tujie.render_png(reports[0])  # skeleton, fonts loaded once
    floor = _per_report(docx.render_bytes, reports)
    svg = _per_report(tujie.render_svg, reports)
    png = _per_report(tujie.render_png, reports)
    print(f"docx {floor * 1000:.1f} ms/report")
    print(f"图解 SVG {svg * 1000:.2f} ms/report ({svg / floor:.2f}× docx)")
    print(f"图解 PNG (SVG + resvg at 1080 px) {png * 1000:.1f} ms/report ({png / floor:.1f}× docx)")


if __name__ == "__main__":
    main()
