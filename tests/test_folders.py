"""The folders a clerk unzips (#19): the Windows folder under Debian's wine, the 信创 Linux
folder natively, each from a place whose path has Chinese characters and spaces. Each is run
as the clerk runs it (nianbao.cmd / 打开网页.cmd, ./nianbao / 打开网页.sh) and compared with
this checkout run in-process: the same findings and report data, the same imported figures,
exit 3 for a hostile file, a page on loopback, one Chinese line for what goes wrong.

The folders are taken from ``$NIANBAO_DIST`` (.ci/run builds them there first) or built into
dist/ by packaging/build.py when missing or older than the source.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

import nianbao
from conftest import make_zip, needs

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "tests" / "fixtures" / "published"
NAMES = {"windows": f"nianbao-{nianbao.__version__}-windows-x64.zip",
         "linux": f"nianbao-{nianbao.__version__}-linux-x86_64.tar.gz"}
#: Where the clerk unzips: Chinese characters and spaces in every part that can have them.
PLACE = "桌面 文件/年报 工具"


def built(target: str) -> Path:
    dist = Path(os.environ.get("NIANBAO_DIST") or ROOT / "dist")
    path = dist / NAMES[target]
    sources = [p for p in (ROOT / "src").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    sources.append(ROOT / "packaging" / "build.py")
    stale = path.exists() and not os.environ.get("NIANBAO_DIST") and \
        path.stat().st_mtime < max(p.stat().st_mtime for p in sources)
    if not path.exists() or stale:
        if target == "linux":
            needs("debootstrap")
        done = subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), target,
                               "-o", str(dist)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return path


def answered(url: str, seconds: float = 300) -> float:
    """Seconds until ``url`` answers 200 (the condition, not a sleep)."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return time.monotonic() - start
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {seconds:g} s")


def wait_for(condition, seconds: float = 120) -> None:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < seconds, "condition not met in time"
        time.sleep(0.1)


class Runner:
    """Runs the folder's command line (and page launcher) as a clerk would."""

    encoding = "utf-8"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def command(self, *args: str) -> list[str]:
        raise NotImplementedError

    def page(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return dict(os.environ)

    def run(self, *args: str, cwd: Path | None = None) -> tuple[int, str, str]:
        done = subprocess.run(self.command(*args), cwd=cwd or self.folder, env=self.env(),
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=900)
        return (done.returncode, done.stdout.decode(self.encoding, "replace"),
                done.stderr.decode(self.encoding, "replace"))

    def start_page(self, browser_log: Path) -> subprocess.Popen:
        env = self.env()
        env["BROWSER"] = self.browser(browser_log)
        return subprocess.Popen(self.page(), cwd=self.folder, env=env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)

    def browser(self, log: Path) -> str:
        raise NotImplementedError

    def stop(self, process: subprocess.Popen) -> tuple[str, str]:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 9)
        out, err = process.communicate(timeout=60)
        return out.decode(self.encoding, "replace"), err.decode(self.encoding, "replace")


class Wine(Runner):
    """The Windows folder under Debian's wine, in a Chinese (zh-CN, code page 936) locale.

    Stubbed in this harness only: Wine 8 lacks propsys.VariantToString, which Python's
    ``platform`` module reaches through WMI; with Wine's WMI provider turned off that query
    fails the way Python expects and falls back, as on a Windows whose WMI service is off. And
    Wine 8 has no bcryptprimitives.dll (Windows 10 and 11 do): :meth:`prepare` compiles a
    stand-in for its ProcessPrng into the prefix (resvg imports it).
    Standard handles are pipes (Wine 8 gives a Windows program an unusable handle for a Linux
    regular file)."""

    encoding = "gbk"

    def __init__(self, folder: Path, prefix: Path) -> None:
        super().__init__(folder)
        self.prefix = prefix

    def prepare(self) -> None:
        """The prefix made, and given the one DLL Wine 8 lacks that Windows 10 and 11 have
        (bcryptprimitives.dll, from tests/fixtures/wine: a stand-in of this harness only)."""
        subprocess.run(["wineboot", "-i"], env=self.env(), check=True, capture_output=True,
                       timeout=600)
        system32 = self.prefix / "drive_c" / "windows" / "system32"
        subprocess.run([needs("x86_64-w64-mingw32-gcc"), "-shared", "-O2", "-o",
                        str(system32 / "bcryptprimitives.dll"),
                        str(Path(__file__).parent / "fixtures" / "wine" / "bcryptprimitives.c"),
                        "-lbcrypt"], check=True, capture_output=True, timeout=300)

    def env(self) -> dict[str, str]:
        return {**os.environ, "WINEPREFIX": str(self.prefix), "WINEDEBUG": "-all",
                "LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8", "WINEDLLOVERRIDES": "wbemprox=d"}

    def command(self, *args: str) -> list[str]:
        return ["wine", "cmd", "/c", "nianbao.cmd", *args]

    def page(self) -> list[str]:
        return ["wine", "cmd", "/c", "打开网页.cmd"]

    def browser(self, log: Path) -> str:
        script = self.prefix / "drive_c" / "record-browser.cmd"
        assert log == self.prefix / "drive_c" / "opened.txt"  # an ASCII path: cmd.exe's
        script.write_bytes(b"@echo off\r\necho %1>> C:\\opened.txt\r\n")  # code page
        return r"C:\record-browser.cmd %s"

    def stop(self, process: subprocess.Popen) -> tuple[str, str]:
        subprocess.run(["wineserver", "-k"], env=self.env(), check=False)
        return super().stop(process)


class Native(Runner):
    def command(self, *args: str) -> list[str]:
        return [str(self.folder / "nianbao"), *args]

    def page(self) -> list[str]:
        return [str(self.folder / "打开网页.sh")]

    def browser(self, log: Path) -> str:
        script = log.with_suffix(".sh")
        script.write_text(f'#!/bin/sh\necho "$1" >> "{log}"\n', encoding="utf-8")
        script.chmod(0o755)
        return f"{script} %s"


def unpack(archive: Path, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(into)
    else:
        with tarfile.open(archive) as tar:
            tar.extractall(into, filter="tar")
    (top,) = into.iterdir()
    return top


@pytest.fixture(scope="module", params=["windows", "linux"])
def folder(request, tmp_path_factory) -> Runner:
    if request.param == "windows":
        needs("wine")
        locales = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout
        if "zh_cn.utf8" not in locales.lower():
            pytest.fail("the zh_CN.UTF-8 locale is required for the Wine tests (.ci/run makes it)")
    archive = built(request.param)
    top = unpack(archive, tmp_path_factory.mktemp("clerk") / PLACE)
    if request.param == "windows":
        wine = Wine(top, tmp_path_factory.mktemp("wine") / "前缀 prefix")
        wine.prepare()
        return wine
    return Native(top)


def test_the_folder_holds_what_the_clerk_is_told_about(folder):
    names = {p.name for p in folder.folder.iterdir()}
    if isinstance(folder, Wine):
        assert {"nianbao.cmd", "打开网页.cmd", "使用说明.txt", "python"} <= names
        guide = (folder.folder / "使用说明.txt").read_bytes()
        assert guide.startswith(b"\xef\xbb\xbf")  # Notepad shows UTF-8 with a BOM
        for launcher in ("nianbao.cmd", "打开网页.cmd"):  # cmd.exe reads the console code page
            (folder.folder / launcher).read_bytes().decode("ascii")
    else:
        assert {"nianbao", "打开网页.sh", "使用说明.txt"} <= names
    text = (folder.folder / "使用说明.txt").read_text(encoding="utf-8-sig")
    for needed in ("解压", "双击", "轮次", "关闭", "不支持"):
        assert needed in text


def test_the_command_line_starts_and_returns_its_exit_codes(folder):
    code, out, _ = folder.run("--version")
    assert code == 0 and nianbao.__version__ in out
    code, _, err = folder.run("demo", "多余的 参数")
    assert code == 2 and "用法错误" in err and "Traceback" not in err


def _comparable(path: Path):
    data = json.loads(path.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data).replace("\\\\", "/"))


def test_a_round_gives_the_same_findings_and_report_data_as_this_checkout(folder, tmp_path):
    from nianbao.demo import prepare_round

    here = tmp_path / "本机"
    prepare_round(here)
    there = folder.folder / "一轮 收集"
    shutil.copytree(here / "收件箱", there / "收件箱")
    shutil.copy2(here / "名单.xlsx", there / "名单.xlsx")
    code, out, err = folder.run("batch", "一轮 收集/收件箱" if isinstance(folder, Native)
                                else "一轮 收集\\收件箱", "--roster", "一轮 收集/名单.xlsx",
                                "--out", "一轮 收集/结果", "--formats", "docx,html")
    assert code == 1, out + err  # the demo round has a unit with errors and a broken file
    assert "Traceback" not in err
    mine, theirs = here / "结果", there / "结果"
    assert _comparable(theirs / "findings.json") == _comparable(mine / "findings.json")
    assert sorted(p.name for p in (theirs / "data").iterdir()) == \
        sorted(p.name for p in (mine / "data").iterdir())
    for data in (mine / "data").iterdir():
        assert _comparable(theirs / "data" / data.name) == _comparable(data)
    def statuses(folder: Path) -> dict[str, str]:
        return {unit: entry["status"]
                for unit, entry in _comparable(folder / "round.json")["units"].items()}

    assert statuses(theirs) == statuses(mine) and len(statuses(mine)) == 4
    def documents(folder: Path) -> list[str]:  # the round here also drew its 图解 (serve's)
        return sorted(p.name for p in (folder / "reports").iterdir()
                      if p.suffix in (".docx", ".html"))

    assert documents(theirs) == documents(mine) and documents(mine)
    code, out, err = folder.run("demo", "--out", "演示 输出")
    assert code == 0, out + err
    report = "2024_井研县高凤镇人民政府.json"
    from nianbao.demo import run_demo

    run_demo(tmp_path / "演示")
    assert _comparable(folder.folder / "演示 输出" / "result" / "data" / report) == \
        _comparable(tmp_path / "演示" / "result" / "data" / report)


def test_a_pdf_and_a_web_page_import_the_same_figures(folder, tmp_path):
    inputs = folder.folder / "已发布 报告"
    inputs.mkdir()
    sources = [PUBLISHED / "01_huaian-shi-zhengfu_2024.pdf",
               PUBLISHED / "04_shuyang-xian-fagaiju_2023.html"]
    for source in sources:
        shutil.copy2(source, inputs / f"样本 {source.name}")
    code, out, err = folder.run("import", *(f"已发布 报告/样本 {s.name}" for s in sources),
                                "-o", "导入 结果")
    assert code == 0, out + err
    from nianbao.cli import cli

    mine = tmp_path / "mine"
    from click.testing import CliRunner

    done = CliRunner().invoke(cli, ["import", *(str(inputs / f"样本 {s.name}") for s in sources),
                                    "-o", str(mine)])
    assert done.exit_code == 0, done.output
    names = sorted(p.name for p in mine.iterdir())
    assert len(names) == 2 and sorted(p.name for p in (folder.folder / "导入 结果").iterdir()) \
        == names
    for name in names:
        theirs = _comparable(folder.folder / "导入 结果" / name)
        ours = _comparable(mine / name)
        assert theirs["figures"] == ours["figures"] and theirs["figures"]


def test_the_tujie_is_drawn_in_the_folder_as_here(folder, tmp_path):
    """The 图解's SVG is the same bytes as this checkout's, and its PNG is rasterised there
    (resvg's wheel for the target, 1080 px wide) — no system library needed."""
    from nianbao.demo import run_demo

    run_demo(tmp_path / "演示")
    filled = next((tmp_path / "演示" / "inbox").glob("*.xlsx"))
    shutil.copy2(filled, folder.folder / "报回 高凤镇.xlsx")
    code, out, err = folder.run("render", "报回 高凤镇.xlsx", "-o", "图解 输出/高凤镇-图解.svg")
    assert code == 0, out + err
    from nianbao.outputs import tujie
    from nianbao.sources import read

    drawn = folder.folder / "图解 输出"
    assert (drawn / "高凤镇-图解.svg").read_bytes() == tujie.render_svg(read(filled).report)
    png = (drawn / "高凤镇-图解.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") == 1080


def test_a_hostile_file_is_one_chinese_line_and_exit_3(folder, sample_template):
    """A real template whose sheet swells to 300 MB when unpacked (347 KB on disk)."""
    members = {}
    with zipfile.ZipFile(io.BytesIO(sample_template)) as archive:
        for name in archive.namelist():
            members[name] = archive.read(name)
    members["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"].replace(
        b"</sheetData>", b"</sheetData>" + b" " * 300_000_000)
    bomb = make_zip(members)
    (folder.folder / "报回 文件").mkdir(exist_ok=True)
    (folder.folder / "报回 文件" / "某镇（炸弹）.xlsx").write_bytes(bomb)
    code, out, err = folder.run("validate", "报回 文件/某镇（炸弹）.xlsx")
    assert code == 3, out + err
    assert "压缩炸弹" in out + err and "Traceback" not in out + err


def test_the_page_launcher_serves_the_round_beside_it_and_opens_the_browser(folder, tmp_path):
    log = tmp_path / "opened.txt"
    if isinstance(folder, Wine):
        log = folder.prefix / "drive_c" / "opened.txt"
    start = time.monotonic()
    first = folder.start_page(log)
    try:
        line = first.stdout.readline().decode(folder.encoding, "replace")  # once it listens
        assert line.startswith("请在浏览器中打开：http://127.0.0.1:"), line
        url = line.split("：", 1)[1].strip()
        answered(url + "api/units")
        seconds = time.monotonic() - start
        print(f"\n{type(folder).__name__}: double-click to page answered in {seconds:.1f} s")
        assert (folder.folder / "轮次" / "收件箱").is_dir()
        wait_for(log.exists)
        assert log.read_text(errors="replace").strip().splitlines()[0] == url
        # a second double-click opens the page already served, and ends by itself
        log.unlink()
        second = folder.start_page(log)
        out, err = second.communicate(timeout=300)
        text = (out + err).decode(folder.encoding, "replace")
        assert second.returncode == 0, text
        assert "已经在另一个窗口中打开" in text
        wait_for(log.exists)
        assert url in log.read_text(errors="replace")
        # the command line on the same port says what to do in one line
        port = url.rstrip("/").rsplit(":", 1)[1]
        code, out, err = folder.run("serve", "别的 轮次", "--port", port)
        assert code == 3 and f"端口 {port} 已被其他程序占用" in err and "Traceback" not in err
    finally:
        folder.stop(first)


def test_a_read_only_place_gets_one_chinese_line(folder, tmp_path):
    if os.geteuid() != 0:
        pytest.fail("mounting a read-only copy needs root (CI runs as root)")
    place = tmp_path / "只读 光盘"
    place.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400m", "tmpfs", str(place)], check=True)
    try:
        shutil.copytree(folder.folder, place / folder.folder.name, symlinks=True)
        subprocess.run(["mount", "-o", "remount,ro", str(place)], check=True)
        copy = type(folder).__new__(type(folder))
        copy.__dict__.update(folder.__dict__, folder=place / folder.folder.name)
        code, out, err = copy.run("serve", "轮次 只读")
        lines = [line for line in err.splitlines() if line.strip()]
        assert code == 3, out + err
        assert "无法使用轮次文件夹" in err and ("只读" in err or "权限" in err)
        assert len(lines) == 1 and "Traceback" not in err
    finally:
        subprocess.run(["umount", "-l", str(place)], check=False)


def test_the_linux_folder_needs_no_glibc_newer_than_2_31(tmp_path):
    needs("objdump")
    top = unpack(built("linux"), tmp_path / PLACE)
    newest = (0, 0)
    elves = 0
    for path in top.rglob("*"):
        if not path.is_file() or path.is_symlink() or path.read_bytes()[:4] != b"\x7fELF":
            continue
        elves += 1
        table = subprocess.run(["objdump", "-T", str(path)], capture_output=True,
                               text=True).stdout
        for major, minor in re.findall(r"GLIBC_(\d+)\.(\d+)", table):
            newest = max(newest, (int(major), int(minor)))
    print(f"\n{elves} ELF files, newest glibc symbol version {newest[0]}.{newest[1]}")
    assert elves > 10
    assert newest <= (2, 31), f"needs glibc {newest}"
