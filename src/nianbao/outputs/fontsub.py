"""The faces a PDF is made with when the statutory fonts are not installed.

The .docx names the statutory fonts (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312, 宋体):
Word on the clerk's PC has them or substitutes its own. LibreOffice, which makes the PDF, asks
fontconfig for a missing name and gets whatever CJK face sorts first — on Debian that is Noto
Sans CJK **JP** for every role: Japanese glyph forms, one sans face for title, headings and
body. So the PDF path asks for a face of the right class for each role, simplified Chinese
only, from what is installed (free faces Debian packages: FandolFang/Kai/Hei/Song, AR PL KaitiM
GB, Noto Serif/Sans CJK SC), and says which substitutions it made.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .docstyle import Fonts

#: Per role: the class of face in words, then the faces of that class in order of preference,
#: then (after None) faces of a neighbouring class to use when none of the class is there.
CLASSES: dict[str, tuple[str, tuple[str | None, ...]]] = {
    "title": ("标宋", (
        "方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "华文中宋", "STZhongsong",
        "FandolSong", "Noto Serif CJK SC", "Source Han Serif SC", "思源宋体", "AR PL SungtiL GB",
        "宋体", "SimSun")),
    "body": ("仿宋", (
        "仿宋_GB2312", "仿宋", "FangSong", "FangSong_GB2312", "华文仿宋", "STFangsong",
        "FandolFang", None, "Noto Serif CJK SC", "FandolSong", "宋体", "SimSun")),
    "heading1": ("黑体", (
        "黑体", "SimHei", "FandolHei", "Noto Sans CJK SC", "Source Han Sans SC", "思源黑体",
        "WenQuanYi Zen Hei", "文泉驿正黑", "Microsoft YaHei", "微软雅黑")),
    "heading2": ("楷体", (
        "楷体_GB2312", "楷体", "KaiTi", "KaiTi_GB2312", "华文楷体", "STKaiti", "AR PL KaitiM GB",
        "FandolKai", "AR PL UKai CN", None, "Noto Serif CJK SC", "宋体", "SimSun")),
    "page": ("宋体", (
        "宋体", "SimSun", "FandolSong", "Noto Serif CJK SC", "Source Han Serif SC", "思源宋体",
        "AR PL SungtiL GB")),
}
ROLE_WORDS = {"title": "标题", "body": "正文", "heading1": "一级标题", "heading2": "二级标题",
              "page": "页码"}

#: Windows keeps fonts as files; these are the Chinese faces it ships or offices install.
_WINDOWS_FILES = {
    "simfang.ttf": ("仿宋", "FangSong"), "simkai.ttf": ("楷体", "KaiTi"),
    "simhei.ttf": ("黑体", "SimHei"), "simsun.ttc": ("宋体", "SimSun"),
    "msyh.ttc": ("微软雅黑", "Microsoft YaHei"), "stzhongs.ttf": ("华文中宋", "STZhongsong"),
    "stfangso.ttf": ("华文仿宋", "STFangsong"), "stkaiti.ttf": ("华文楷体", "STKaiti"),
    "fzxbsjw.ttf": ("方正小标宋简体",), "方正小标宋简体.ttf": ("方正小标宋简体",),
    "fzxbsk.ttf": ("方正小标宋_GBK",), "仿宋_gb2312.ttf": ("仿宋_GB2312",),
    "楷体_gb2312.ttf": ("楷体_GB2312",), "fs_gb2312.ttf": ("仿宋_GB2312",),
    "kt_gb2312.ttf": ("楷体_GB2312",),
}


@dataclasses.dataclass(frozen=True)
class Choice:
    role: str
    wanted: str
    used: str
    in_class: bool  # a face of the role's class (else a neighbour, or nothing found)

    def __str__(self) -> str:
        words, _ = CLASSES[self.role]
        role = ROLE_WORDS[self.role]
        if not self.used:
            return f"{role} {self.wanted}：未找到{words}类的简体中文字体，由 LibreOffice 自行替换"
        note = "" if self.in_class else f"（未找到{words}类字体）"
        return f"{role} {self.wanted} → {self.used}{note}"


def _fc_families() -> set[str]:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return set()
    try:
        done = subprocess.run([fc_list, "--format", "%{family}\n"], capture_output=True,
                              timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return set()
    text = done.stdout.decode("utf-8", "replace")
    return {name.strip() for line in text.splitlines() for name in line.split(",") if name.strip()}


def _windows_families() -> set[str]:
    folders = [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"]
    if os.environ.get("LOCALAPPDATA"):
        folders.append(Path(os.environ["LOCALAPPDATA"]) / "Microsoft" / "Windows" / "Fonts")
    found: set[str] = set()
    for folder in folders:
        try:
            names = {p.name.lower() for p in folder.iterdir()}
        except OSError:
            continue
        for file, families in _WINDOWS_FILES.items():
            if file in names:
                found.update(families)
    return found


@functools.lru_cache(maxsize=1)
def _fc_files() -> dict[str, list[str]]:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return {}
    try:
        done = subprocess.run([fc_list, "--format", "%{family}\t%{file}\n"], capture_output=True,
                              timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return {}
    found: dict[str, list[str]] = {}
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        families, _, file = line.partition("\t")
        for name in families.split(","):
            if name.strip() and file:
                found.setdefault(name.strip(), []).append(file)
    return found


@functools.lru_cache(maxsize=1)
def _windows_files() -> dict[str, list[str]]:
    folders = [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"]
    if os.environ.get("LOCALAPPDATA"):
        folders.append(Path(os.environ["LOCALAPPDATA"]) / "Microsoft" / "Windows" / "Fonts")
    found: dict[str, list[str]] = {}
    for folder in folders:
        try:
            present = {p.name.lower(): p for p in folder.iterdir()}
        except OSError:
            continue
        for file, families in _WINDOWS_FILES.items():
            if file in present:
                for name in families:
                    found.setdefault(name, []).append(str(present[file]))
    return found


@functools.lru_cache(maxsize=8)
def files(families: tuple[str, ...]) -> tuple[str, ...]:
    """The font files of those of ``families`` installed here (fontconfig, or the Windows
    Fonts folders): what a renderer that does not ask the system loads."""
    known = _windows_files() if sys.platform == "win32" else _fc_files()
    return tuple(dict.fromkeys(f for name in families for f in sorted(known.get(name, ()))))


@functools.lru_cache(maxsize=1)
def installed() -> frozenset[str]:
    """The font families LibreOffice can use here."""
    families = _fc_families()
    if sys.platform == "win32":
        families |= _windows_families()
    return frozenset(families)


def choose(fonts: Fonts, available: frozenset[str] | None = None) -> list[Choice]:
    """For each role, the face the PDF uses: the named one when installed, else the first
    installed face of its class, else of a neighbouring class."""
    have = installed() if available is None else available
    choices = []
    for role, (_, candidates) in CLASSES.items():
        wanted = getattr(fonts, role)
        if wanted in have:
            choices.append(Choice(role, wanted, wanted, True))
            continue
        in_class, used = True, ""
        for name in candidates:
            if name is None:
                in_class = False
            elif name in have:
                used = name
                break
        choices.append(Choice(role, wanted, used, in_class and bool(used)))
    return choices


def for_pdf(fonts: Fonts | None, available: frozenset[str] | None = None) -> Fonts:
    """The fonts to write into the .docx LibreOffice turns into the PDF."""
    base = fonts or Fonts()
    made = {c.role: c.used for c in choose(base, available) if c.used and c.used != c.wanted}
    return dataclasses.replace(base, **made)


def substitutions(fonts: Fonts | None, available: frozenset[str] | None = None) -> list[str]:
    """What :func:`for_pdf` changed, one phrase a role; empty when every font is installed."""
    return [str(c) for c in choose(fonts or Fonts(), available) if c.used != c.wanted]
