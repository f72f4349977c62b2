"""Committed generated files: the blank master workbook and the bundled reference .docx."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from . import docstyle, template
from .campaign import Settings, Unit
from .files import write_atomic

ROOT = Path(__file__).resolve().parents[2]
MASTER_NAME = "nianbao-gov-2021-master.xlsx"
MASTER_UNIT = Unit("（单位全称）", "（上级）", "乡镇")
MASTER_SETTINGS = Settings(2024)


def master_bytes() -> bytes:
    return template.build_bytes(MASTER_UNIT, MASTER_SETTINGS)


def zip_content(data: bytes) -> dict[str, bytes]:
    """A zip's members by name: what 'the same content' means (zip timestamps aside)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def assets(root: Path = ROOT) -> dict[Path, bytes]:
    return {
        root / "workbook_templates" / MASTER_NAME: master_bytes(),
        root / "src" / "nianbao" / "data" / "reference.docx": docstyle.build_reference(),
    }


def build_assets(check: bool = False, root: Path = ROOT) -> list[Path]:
    """Paths whose committed content differs from what the code generates (written unless check)."""
    stale = []
    for path, data in assets(root).items():
        current = path.read_bytes() if path.exists() else b""
        if not current or zip_content(current) != zip_content(data):
            stale.append(path)
            if not check:
                write_atomic(path, data)
    return stale
