"""Pages per second of the status page (本轮概况) of a round of 1,000 units, in one run.

    python benchmarks/bench_serve.py               # 1,000 units, 2 clients, 10 s
    python benchmarks/bench_serve.py --units 200 --seconds 5

The round is made once (a roster of N units, every third one with a returned workbook, batch
run over them); then waitress serves it and two client threads fetch ``/`` (the HTML page) and
``/api/units`` (the JSON) as fast as they can, each for the given time.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import socket
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import openpyxl
import waitress.server

from nianbao.demo import sample
from nianbao.round import batch
from nianbao.serve import create_app, host_names
from nianbao.serve.folder import INBOX, RESULTS, ROSTER
from nianbao.workbook import template
from nianbao.workbook.fill import fill_bytes
from nianbao.workbook.roster import read_roster, roster_template_bytes


def write_roster(root: Path, n: int):
    """A roster of N townships in ``root``, read back."""
    book = openpyxl.load_workbook(io.BytesIO(roster_template_bytes(2024)))
    for r in range(n):
        for c, value in enumerate((f"测试县第{r + 1:04d}镇人民政府", "测试县", "乡镇"), start=1):
            book["单位"].cell(r + 2, c, value)
    root.mkdir(parents=True, exist_ok=True)
    book.save(root / ROSTER)
    return read_roster(root / ROSTER)


def make_round(root: Path, n: int) -> None:
    roster = write_roster(root, n)
    report = sample()
    (root / INBOX).mkdir()
    for unit in roster.units[::3]:
        filled = dataclasses.replace(report, unit=unit.name, title="")
        (root / INBOX / f"{unit.name}.xlsx").write_bytes(
            fill_bytes(template.build_bytes(unit, roster.settings), filled))
    batch.run(root / INBOX, root / RESULTS, roster=roster, jobs=2, formats=("docx",))


def hammer(url: str, seconds: float, clients: int) -> float:
    counts = [0] * clients
    stop = time.monotonic() + seconds

    def run(slot: int) -> None:
        while time.monotonic() < stop:
            with urllib.request.urlopen(url, timeout=30) as response:
                response.read()
            counts[slot] += 1

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "round"
        make_round(root, args.units)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        app = create_app(root, hosts=host_names("127.0.0.1", port))
        server = waitress.server.create_server(app, host="127.0.0.1", port=port, threads=4)
        threading.Thread(target=server.run, daemon=True).start()
        base = f"http://127.0.0.1:{port}"
        try:
            hammer(base + "/", 1.0, 1)  # warm the caches
            rows = [(path, hammer(base + path, args.seconds, args.clients))
                    for path in ("/", "/api/units")]
        finally:
            server.close()
    print(f"| page ({args.units} units, {args.clients} clients) | requests/s |")
    print("|---|---|")
    for path, rate in rows:
        print(f"| `GET {path}` | {rate:.1f} |")


if __name__ == "__main__":
    main()
