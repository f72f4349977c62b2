"""Usage errors in Chinese, with the command's own help hint: a clerk never reads click's
English (Missing option, No such file, not one of)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CASES = [
    (["batch"], "缺少参数 INBOX", "nianbao batch -h"),
    (["batch", "不存在的收件箱", "--out", "结果"], "“不存在的收件箱”不存在", "nianbao batch -h"),
    (["batch", "."], "缺少选项 --out", "nianbao batch -h"),
    (["template", "--level", "村"], "“村”不是可选的值，可选：乡镇、街道", "nianbao template -h"),
    (["template", "--jobs", "99", "--roster", "x.xlsx"], "99 不在允许的范围", "nianbao template -h"),
    (["validate", "--nope", "x"], "没有选项 --nope", "nianbao validate -h"),
    (["frob"], "没有命令“frob”", "nianbao -h"),
    (["render", "x.xlsx", "-o"], "选项 -o 后面要有一个值", "nianbao render -h"),
    (["template", "--year", "abc"], "“abc”不是整数", "nianbao template -h"),
    (["template", "--year", "2024"], "请提供 --year、--unit 和 -o", "nianbao template -h"),
]


@pytest.mark.parametrize("args, said, hint", CASES, ids=[" ".join(c[0]) for c in CASES])
def test_a_usage_error_is_one_chinese_line_and_the_help_hint(tmp_path, args, said, hint):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-m", "nianbao", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("nianbao：用法错误：") and said in lines[0], lines
    assert lines[1] == f"查看帮助：{hint}"
    for english in ("Usage:", "Error:", "Missing", "Try ", "does not exist", "not one of"):
        assert english not in done.stderr
