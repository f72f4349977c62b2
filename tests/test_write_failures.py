"""Every command that writes exits 3 with one Chinese line naming the path and the cause when it
cannot write (a read-only folder, a full disk), leaves no half file behind, and never exits 0.

The folders are real: a read-only tmpfs and a tmpfs too small for the output (CI runs as root,
which ignores permission bits, so a chmod would prove nothing)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def _mount(target: Path, options: str) -> bool:
    target.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
                          capture_output=True, check=False)
    return done.returncode == 0


@pytest.fixture
def disks(tmp_path):
    """(read-only folder, full folder): tmpfs mounts, unmounted afterwards."""
    ro, full = tmp_path / "只读盘", tmp_path / "满盘"
    mounted = bool(shutil.which("mount")) and _mount(ro, "ro,size=1m") and _mount(full, "size=64k")
    try:
        if not mounted:
            if os.environ.get("CI"):
                pytest.fail("CI runs as root and must be able to mount a tmpfs")
            pytest.skip("needs root to mount a tmpfs")
        _fill(full)
        yield ro, full
    finally:
        for mount in (ro, full):
            subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)


def _fill(full: Path) -> None:
    """Fill the small disk so that no output fits."""
    fd = os.open(full / "填满", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, sample_report):
    """A filled workbook, a roster and a published page to give the commands."""
    import openpyxl

    from conftest import consistent
    from nianbao.model.unit import Settings, Unit
    from nianbao.workbook import template
    from nianbao.workbook.fill import fill_bytes
    from nianbao.workbook.roster import roster_template_bytes

    folder = tmp_path_factory.mktemp("inputs")
    report = consistent(sample_report)
    data = template.build_bytes(Unit(report.unit, report.parent, report.level),
                                Settings(report.year))
    (folder / "收件箱").mkdir()
    workbook = folder / "收件箱" / "高凤镇.xlsx"
    workbook.write_bytes(fill_bytes(data, report))
    roster = folder / "名单.xlsx"
    roster.write_bytes(roster_template_bytes(report.year))
    wb = openpyxl.load_workbook(roster)
    wb["单位"]["A2"], wb["单位"]["C2"] = report.unit, report.level
    wb.save(roster)
    page = folder / "沭阳.html"
    shutil.copy(FIXTURES / "published" / "04_shuyang-xian-fagaiju_2023.html", page)
    return {"workbook": workbook, "roster": roster, "page": page, "inbox": workbook.parent}


def commands(i: dict, target: Path) -> dict[str, list[str]]:
    return {
        "template": ["template", "--year", "2024", "--unit", "某县某镇人民政府", "--level", "乡镇",
                     "-o", str(target / "模板.xlsx")],
        "template --roster": ["template", "--roster", str(i["roster"]), "--out",
                              str(target / "模板"), "--jobs", "1"],
        "roster-template": ["roster-template", "-o", str(target / "名单.xlsx")],
        "render": ["render", str(i["workbook"]), "-o", str(target / "报告.docx")],
        "batch": ["batch", str(i["inbox"]), "--out", str(target / "结果"), "--jobs", "1"],
        "import": ["import", str(i["page"]), "-o", str(target / "导入")],
        "demo": ["demo", "--out", str(target / "演示")],
    }


def _run(args: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "nianbao", *args], env=env, capture_output=True,
                          timeout=300, check=False)


@pytest.mark.parametrize("name", list(commands({"workbook": "", "roster": "", "page": "",
                                                "inbox": ""}, Path())))
def test_a_command_that_cannot_write_exits_3_and_says_where_and_why(disks, inputs, name):
    ro, full = disks
    for disk, cause in ((ro, "只读"), (full, "磁盘已满")):
        before = sorted(p.name for p in disk.rglob("*"))
        done = _run(commands(inputs, disk)[name])
        err = done.stderr.decode()
        assert done.returncode == 3, (name, cause, done.returncode, err, done.stdout.decode())
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and "无法写入" in lines[0] and cause in lines[0], (name, err)
        assert str(disk) in lines[0], lines[0]
        assert "Traceback" not in err
        assert sorted(p.name for p in disk.rglob("*")) == before, (name, "left files behind")


def test_the_inputs_are_unchanged_by_failed_writes(disks, inputs):
    ro, _ = disks
    stamp = {p: p.read_bytes() for p in (inputs["workbook"], inputs["roster"], inputs["page"])}
    for args in commands(inputs, ro).values():
        _run(args)
    assert {p: p.read_bytes() for p in stamp} == stamp
