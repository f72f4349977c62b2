"""nianbao on Windows as on Linux: nothing Unix-only at import, the spawn branch of the bounded
reader, a GBK console, paths with Chinese characters, spaces and drive-letter-like names."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nianbao.published import bounded

SRC = Path(__file__).resolve().parents[1] / "src" / "nianbao"
FIXTURES = Path(__file__).parent / "fixtures"
UNIX_ONLY = {"resource", "fcntl", "pwd", "grp", "termios", "posix", "crypt", "pty", "tty"}


def _module_level_imports(tree: ast.Module):
    """Imports that run when the module loads: top level and inside top-level if/try blocks,
    not inside functions."""
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            pending += node.body + getattr(node, "orelse", []) + getattr(node, "finalbody", [])
            for handler in getattr(node, "handlers", []):
                pending += handler.body


def test_no_module_imports_a_unix_only_module_when_it_loads():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _module_level_imports(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""])
            offenders += [f"{path.relative_to(SRC)}: {n}" for n in names
                          if n.split(".")[0] in UNIX_ONLY]
    assert offenders == []


def test_fork_is_chosen_only_where_the_platform_has_it(monkeypatch):
    monkeypatch.setattr(bounded, "WINDOWS", True)
    assert bounded.start_method() == "spawn"
    monkeypatch.setattr(bounded, "WINDOWS", False)
    monkeypatch.setattr(bounded.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert bounded.start_method() == "spawn"
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert 'get_context("fork")' not in text and "os.fork(" not in text, path


def test_the_windows_memory_bound_is_taken_on_windows(monkeypatch):
    asked = []
    monkeypatch.setattr(bounded, "WINDOWS", True)
    monkeypatch.setattr(bounded, "_limit_windows", asked.append)
    bounded._limit_memory(1000)
    assert asked == [1000 + bounded.SPAWN_BASELINE]


def test_a_pdf_is_read_in_a_spawned_child_as_windows_does(monkeypatch):
    """The spawn branch end to end: the reader, its arguments and its result cross a fresh
    interpreter (nothing inherited), and the figures are those of the forked read."""
    from nianbao.api import import_file

    pdf = FIXTURES / "published" / "01_huaian-shi-zhengfu_2024.pdf"
    forked = import_file(pdf)
    monkeypatch.setattr(bounded, "start_method", lambda: "spawn")
    spawned = import_file(pdf)
    assert spawned.report.figures == forked.report.figures
    assert spawned.report.unit == forked.report.unit


def test_a_slow_reader_in_a_spawned_child_is_stopped(monkeypatch):
    monkeypatch.setattr(bounded, "start_method", lambda: "spawn")
    from nianbao.errors import FileProblem

    with pytest.raises(FileProblem) as caught:
        bounded.run(_sleep, 60, seconds=3)
    assert caught.value.code == "TIMEOUT"


def _sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)


def _run(args: list[str], cwd: Path, encoding: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    return subprocess.run([sys.executable, "-m", "nianbao", *args], cwd=cwd, env=env,
                          capture_output=True, timeout=120, check=False)


def test_a_gbk_console_shows_chinese_and_survives_what_gbk_cannot_encode(tmp_path):
    """A redirect on a Chinese Windows writes cp936; a file name with an emoji must not end
    the run in UnicodeEncodeError (exit 4)."""
    folder = tmp_path / "D盘 报送 材料"
    folder.mkdir()
    made = _run(["template", "--year", "2024", "--unit", "某县某镇人民政府", "--level", "乡镇",
                 "-o", "高凤镇 😀.xlsx"], folder, "gbk")
    assert made.returncode == 0, made.stderr.decode("gbk")
    assert "已生成模板".encode("gbk") in made.stdout
    checked = _run(["validate", "高凤镇 😀.xlsx"], folder, "gbk")
    assert checked.returncode == 1, checked.stderr.decode("gbk")  # the texts are still empty
    out = checked.stdout.decode("gbk")
    assert "高凤镇 ?.xlsx（某县某镇人民政府 2024 年度）：不通过" in out
    assert "内部错误" not in checked.stderr.decode("gbk")


def test_a_console_with_no_chinese_gets_utf8_not_question_marks(tmp_path):
    """A redirect on a Western Windows (cp1252, as Wine's default locale showed) would turn
    every Chinese line into '?': such a stream writes UTF-8."""
    done = _run(["template", "--year", "2024", "--unit", "某县某镇人民政府", "--level", "乡镇",
                 "-o", "模板.xlsx"], tmp_path, "cp1252")
    assert done.returncode == 0
    assert "已生成模板" in done.stdout.decode("utf-8")
    usage = _run(["demo", "多余"], tmp_path, "latin-1")
    assert usage.returncode == 2 and "用法错误" in usage.stderr.decode("utf-8")


def test_paths_with_chinese_spaces_and_a_colon_free_drive_like_folder_work(tmp_path):
    inbox = tmp_path / "C_ 县政府办" / "收件 箱"
    inbox.mkdir(parents=True)
    shutil.copy(FIXTURES / "published" / "04_shuyang-xian-fagaiju_2023.html",
                inbox / "沭阳 发改局 2023.html")
    out = tmp_path / "C_ 县政府办" / "结果 一"
    done = _run(["import", str(inbox / "沭阳 发改局 2023.html"), "-o", str(out)], tmp_path,
                "utf-8")
    assert done.returncode == 0, done.stderr.decode()
    assert [p.suffix for p in out.iterdir()] == [".json"]


def test_validating_a_workbook_imports_no_reader_of_other_kinds(tmp_path):
    """Start-up (#23): `validate one.xlsx` loads neither the web server, the PDF, web page and
    Word readers, nor the template writer (a tenth of a second each on an office PC)."""
    made = _run(["template", "--year", "2024", "--unit", "某县某镇人民政府", "--level", "乡镇",
                 "-o", "模板.xlsx"], tmp_path, "utf-8")
    assert made.returncode == 0
    probe = ("import sys, runpy\n"
             "sys.argv = ['nianbao', 'validate', '模板.xlsx']\n"
             "try:\n    runpy.run_module('nianbao', run_name='__main__')\n"
             "except SystemExit:\n    pass\n"
             "heavy = ('flask', 'werkzeug', 'waitress', 'lxml.html', 'pypdfium2', 'docx',\n"
             "         'openpyxl', 'xlsxwriter', 'concurrent.futures.process',\n"
             "         'nianbao.published.pdf', 'nianbao.published.html', 'nianbao.outputs.docx')\n"
             "print(sorted(m for m in heavy if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr
