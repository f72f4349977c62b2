"""Outputs: atomic writes that leave nothing half-written, and names safe everywhere."""

from __future__ import annotations

import os

import pytest

from nianbao.outfile import OutputError, safe_name, write_atomic


@pytest.mark.parametrize("name, expected", [
    ("2024_井研县高凤镇人民政府", "2024_井研县高凤镇人民政府"),
    ("../../etc/passwd", "___etc_passwd"),
    ("CON", "_CON"), ("lpt1.txt", "_lpt1.txt"),
    ('a<b>c:"d/e\\f|g?h*', "a_b_c__d_e_f_g_h_"),
    ("  .hidden. ", "hidden"), ("", "未命名"), ("\x00\x1f", "__"),
])
def test_safe_names(name, expected):
    assert safe_name(name) == expected
    assert "/" not in safe_name(name) and "\\" not in safe_name(name)


def test_an_interrupted_write_leaves_no_half_file(tmp_path, monkeypatch):
    target = tmp_path / "汇总.xlsx"
    target.write_bytes(b"old")

    def boom(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"new content")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["汇总.xlsx"]


def test_an_unwritable_folder_is_one_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    with pytest.raises(OutputError, match="无法写入"):
        write_atomic(blocker / "sub" / "x.docx", b"data")


def test_written_files_get_ordinary_permissions(tmp_path):
    write_atomic(tmp_path / "r.docx", b"x")
    assert (tmp_path / "r.docx").stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
