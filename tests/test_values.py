"""Values as people write them: every form of 成文日期 a clerk types, Chinese numerals."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

from nianbao.model.values import OK, UNREADABLE, chinese_number, parse_date

_CN = "〇一二三四五六七八九"


def _cn_digits(n: int) -> str:
    return "".join(_CN[int(d)] for d in str(n))


def _cn_number(n: int) -> str:
    """1..31 as written in a date: 一, 十, 十二, 二十, 三十一."""
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else _CN[tens] + "十")) + (
        _CN[ones] if ones else "")


STYLES = {
    "iso": lambda d: d.isoformat(),
    "iso with time": lambda d: f"{d.isoformat()} 10:30:00",
    "iso T": lambda d: f"{d.isoformat()}T08:00:00",
    "slashes with time": lambda d: f"{d.year}/{d.month}/{d.day} 10:30",
    "dots": lambda d: f"{d.year}.{d.month}.{d.day}",
    "年月日": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "年月日 padded": lambda d: f"{d.year}年{d.month:02d}月{d.day:02d}日",
    "年月号": lambda d: f"{d.year}年{d.month}月{d.day}号",
    "spaced": lambda d: f"{d.year} 年 {d.month} 月 {d.day} 日",
    "full-width": lambda d: f"{d.year}年{d.month}月{d.day}日".translate(
        str.maketrans("0123456789", "０１２３４５６７８９")),
    "compact": lambda d: d.strftime("%Y%m%d"),
    "二〇二五年一月二十日": lambda d: f"{_cn_digits(d.year)}年{_cn_number(d.month)}月{_cn_number(d.day)}日",
    "二零二五年": lambda d: f"{_cn_digits(d.year).replace('〇', '零')}年{_cn_number(d.month)}月"
                        f"{_cn_number(d.day)}日",
    "with weekday": lambda d: f"{d.year}年{d.month}月{d.day}日（星期{'一二三四五六日'[d.weekday()]}）",
}


@settings(max_examples=200, deadline=None)
@given(st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)), st.sampled_from(sorted(STYLES)))
def test_a_date_written_in_any_style_reads_back(date, style):
    assert parse_date(STYLES[style](date)) == (date, OK)


@pytest.mark.parametrize("text", [
    "二〇二五年一月二十日", "二零二五年一月二十日", "2025年1月20号", "2025-01-20 10:30:00",
    "2025/1/20 10:30"])
def test_the_forms_clerks_really_typed(text):
    assert parse_date(text) == (dt.date(2025, 1, 20), OK)


@pytest.mark.parametrize("text", ["明年一月", "2025年13月1日", "2025-02-30", "一月九日", "9/1",
                                  "2025年", "20251301"])
def test_what_is_not_a_date_stays_unreadable(text):
    assert parse_date(text) == (None, UNREADABLE)


@pytest.mark.parametrize("text, value", [
    ("三", 3), ("十", 10), ("十二", 12), ("二十", 20), ("二十一", 21), ("一百零五", 105),
    ("两千", 2000), ("三万五千", 35000), ("二〇二五", 2025), ("零", 0)])
def test_chinese_numerals(text, value):
    assert chinese_number(text) == value


def test_what_is_not_a_chinese_numeral():
    assert chinese_number("三件") is None and chinese_number("") is None
