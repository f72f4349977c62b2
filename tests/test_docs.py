"""The README documents what the code does: every rule, every file problem, the CI command."""

from __future__ import annotations

import re
from pathlib import Path

from nianbao import spec
from nianbao.errors import FILE_PROBLEMS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quick_start_is_two_lines_and_ci_runs_the_second():
    block = README.split("## 快速开始", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    lines = [line for line in block.strip().splitlines() if line.strip()]
    assert len(lines) == 2
    assert "nianbao demo" in lines[0]
    assert lines[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_rule_and_file_problem_is_documented():
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", README))
    assert set(spec.RULES) <= documented
    assert set(FILE_PROBLEMS) <= documented


def test_every_contract_name_family_is_documented():
    for code in ["T2_FEES", "T3_DENIED_3_LEGAL", "SUIT_AFTER_REVIEW", "CHECK_STATUS",
                 *(f.code for f in spec.META_FIELDS + spec.TEXT_FIELDS)]:
        assert code in README, code
