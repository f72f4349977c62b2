"""Import throughput: published reports per second, PDF and web page, against a naive approach.

    python benchmarks/bench_import.py              # 40 PDFs and 200 pages, --jobs 2
    python benchmarks/bench_import.py --pdfs 10 --pages 50

The corpus is made in one run: synthetic reports rendered to .docx and converted to PDF by
LibreOffice (the PDFs real organs publish look like this: 5–7 pages, tables split over pages),
the real 淮安市 2024 PDF among them, and web pages from the renderer with real pages' quirks.
The naive approach is what a script would do without nianbao: pdfplumber's table extraction
on every page (it needs ``pip install pdfplumber``). Both run over the same files, two
processes each, in the same run; the figures are ratios of one machine at one time.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from nianbao.api import import_many  # noqa: E402
from nianbao.demo import sample  # noqa: E402
from nianbao.outputs import docx  # noqa: E402
from nianbao.outputs.pdf import convert_many  # noqa: E402

SHARED = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "published"


def corpus(folder: Path, pdfs: int, pages: int) -> tuple[list[Path], list[Path]]:
    from conftest import consistent
    from published_docs import quirky_bytes

    base = sample()
    sources = []
    for i in range(max(pdfs - 1, 1)):
        path = folder / f"r{i}.docx"
        path.write_bytes(docx.render_bytes(consistent(base, i)))
        sources.append(path)
    convert_many(sources, "pdf", folder, jobs=2)
    pdf_files = [p.with_suffix(".pdf") for p in sources]
    real = SHARED / "01_huaian-shi-zhengfu_2024.pdf"
    if real.exists():
        shutil.copy(real, folder / real.name)
        pdf_files.append(folder / real.name)
    page_files = []
    for i in range(pages):
        path = folder / f"p{i}.html"
        path.write_bytes(quirky_bytes(consistent(base, i)))
        page_files.append(path)
    return pdf_files, page_files


def _plumber(path: Path) -> int:
    import pdfplumber

    cells = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                cells += sum(len(row) for row in table)
    return cells


def rate(files: list[Path], run) -> float:
    started = time.perf_counter()
    run(files)
    return len(files) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pdfs", type=int, default=40)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pdf_files, page_files = corpus(Path(tmp), args.pdfs, args.pages)

        def ours(files):
            results = import_many(files, jobs=args.jobs)
            bad = [r for r in results if not hasattr(r, "report")]
            assert not bad, bad

        def naive(files):
            with ProcessPoolExecutor(args.jobs) as pool:
                list(pool.map(_plumber, files))

        rows = [("nianbao import, PDF", len(pdf_files), rate(pdf_files, ours)),
                ("pdfplumber extract_tables, PDF", len(pdf_files), rate(pdf_files, naive)),
                ("nianbao import, web page", len(page_files), rate(page_files, ours))]
    print(f"| approach (--jobs {args.jobs}) | files | reports/s |")
    print("|---|---|---|")
    for name, n, value in rows:
        print(f"| {name} | {n} | {value:.1f} |")
    print(f"\nPDF: {rows[0][2] / rows[1][2]:.1f}× the naive approach")


if __name__ == "__main__":
    main()
