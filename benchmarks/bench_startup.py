"""Start-up: ``nianbao validate one.xlsx`` against its floor, ``python -c "import click"``.

    python benchmarks/bench_startup.py            # 15 runs of each, interleaved

Both are whole processes started the same way, alternated in one run so that the machine's
noise falls on both; the figure is the ratio of the medians (#23: at most 3×).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        from nianbao.demo import run_demo

        made = run_demo(Path(tmp) / "demo")
        workbook = str(next((Path(tmp) / "demo" / "inbox").glob("*.xlsx")))
        del made
        validate = [sys.executable, "-m", "nianbao", "validate", workbook]
        floor = [sys.executable, "-c", "import click"]
        timed(validate), timed(floor)  # warm the file cache
        ours, base = [], []
        for _ in range(args.runs):
            ours.append(timed(validate))
            base.append(timed(floor))
    ratio = statistics.median(ours) / statistics.median(base)
    print(f"nianbao validate one.xlsx: {statistics.median(ours) * 1000:.0f} ms; "
          f"python -c 'import click': {statistics.median(base) * 1000:.0f} ms; "
          f"ratio {ratio:.2f}× (medians of {args.runs})")


if __name__ == "__main__":
    main()
