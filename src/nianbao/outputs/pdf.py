"""docx → PDF through LibreOffice headless, each run with its own profile."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import ConversionError

TIMEOUT = 600


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(source: Path, fmt: str, outdir: Path, *, recalc: bool = False) -> Path:
    """Convert ``source`` with a private profile (two runs on one profile fail silently)."""
    return convert_many([source], fmt, outdir, recalc=recalc)[0]


def convert_many(sources: list[Path], fmt: str, outdir: Path, *, recalc: bool = False,
                 jobs: int = 1) -> list[Path]:
    """Convert several files, in ``jobs`` LibreOffice processes each with its own profile;
    ``recalc`` recomputes every formula on load."""
    if jobs > 1 and len(sources) > 1:
        from concurrent.futures import ThreadPoolExecutor

        chunks = [sources[i::jobs] for i in range(jobs)]
        with ThreadPoolExecutor(jobs) as pool:
            list(pool.map(lambda chunk: _convert(chunk, fmt, outdir, recalc), chunks))
        return [outdir / (s.stem + "." + fmt.split(":")[0]) for s in sources]
    return _convert(sources, fmt, outdir, recalc)


def _convert(sources: list[Path], fmt: str, outdir: Path, recalc: bool) -> list[Path]:
    exe = soffice()
    if exe is None:
        raise ConversionError("未安装 LibreOffice（soffice），无法转换；.docx 已生成，可在 WPS/Word 中另存为 PDF")
    with tempfile.TemporaryDirectory(prefix="nianbao-lo-") as profile:
        if recalc:
            user = Path(profile) / "user"
            user.mkdir()
            (user / "registrymodifications.xcu").write_text(RECALC_PROFILE, encoding="utf-8")
        outdir.mkdir(parents=True, exist_ok=True)
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
               "--norestore", "--convert-to", fmt, "--outdir", str(outdir), *map(str, sources)]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ConversionError(f"LibreOffice 转换 {sources[0].name} 超时") from exc
    targets = [outdir / (s.stem + "." + fmt.split(":")[0]) for s in sources]
    for source, target in zip(sources, targets, strict=False):
        if done.returncode != 0 or not target.exists():
            raise ConversionError(f"LibreOffice 未能转换 {source.name}（退出码 {done.returncode}）")
    return targets


def to_pdf(docx: Path) -> Path:
    """The PDF beside the document: 报告.docx → 报告.pdf, 报告.v1 → 报告.v1.pdf."""
    docx = Path(docx)
    with tempfile.TemporaryDirectory(prefix="nianbao-pdf-", dir=docx.parent) as tmp:
        made = convert(docx, "pdf", Path(tmp))
        target = (docx.with_suffix(".pdf") if docx.suffix.lower() == ".docx"
                  else docx.with_name(docx.name + ".pdf"))
        made.replace(target)
    return target


RECALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
