"""The text checks judged on corpora of real-style sentences: no false alarm, nothing missed."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest

from nianbao import spec
from nianbao.checks.registry import Context, run
from nianbao.spec.normalise import placeholders, visible

CORPUS = Path(__file__).parent / "corpus"
TEXT_CODES = ("TEXT_FIGURE_MISMATCH", "TEXT_NO_REQUESTS")
#: Corpus shortcuts → the input figure they set (自然人 column, 表四 cells).
FIGURES = {
    "new": "T3_NEW_NATURAL", "carried_in": "T3_CARRIED_IN_NATURAL",
    "forward": "T3_CARRIED_FORWARD_NATURAL",
    **{f"review_{c.lower()}": f"T4_REVIEW_{c}" for c in ("UPHELD", "CORRECTED", "OTHER", "PENDING")},
    **{f"suit_direct_{c.lower()}": f"T4_SUIT_DIRECT_{c}"
       for c in ("UPHELD", "CORRECTED", "OTHER", "PENDING")},
    **{f"suit_after_{c.lower()}": f"T4_SUIT_AFTER_REVIEW_{c}"
       for c in ("UPHELD", "CORRECTED", "OTHER", "PENDING")},
}


def _load(name: str) -> list[dict]:
    return json.loads((CORPUS / name).read_text(encoding="utf-8"))["cases"]


def _report(base, text: str, figures: dict[str, int]):
    values = {code: Decimal(0) for code in spec.INPUT_CODES}
    values.update({FIGURES[k]: Decimal(v) for k, v in figures.items()})
    neutral = dict.fromkeys(spec.NARRATIVE_CODES, "按规定开展相关工作。")
    return dataclasses.replace(base, figures=values,
                               texts={**base.texts, **neutral, "TEXT_ON_REQUEST": text}
                               ).with_totals()


def test_the_corpora_are_large_enough():
    assert len(_load("placeholders.json")) + len(_load("narrative.json")) >= 60


def test_placeholders_no_false_alarm_and_none_missed():
    wrong = [(c["text"], placeholders(c["text"])) for c in _load("placeholders.json")
             if bool(placeholders(c["text"])) != c["placeholder"]]
    assert wrong == []


@pytest.mark.parametrize("code", TEXT_CODES)
def test_text_against_tables_no_false_alarm_and_none_missed(sample_report, code):
    false_alarms, missed = [], []
    for case in _load("narrative.json"):
        report = _report(sample_report, case["text"], case["figures"])
        found = {f.code for f in run(Context(report))}
        if code in found and code not in case["expect"]:
            false_alarms.append(case["text"])
        if code in case["expect"] and code not in found:
            missed.append(case["text"])
    assert (false_alarms, missed) == ([], [])


def test_every_expected_code_is_one_of_the_text_checks():
    assert {c for case in _load("narrative.json") for c in case["expect"]} <= set(TEXT_CODES)


@pytest.mark.parametrize("text", ["", "   ", "\u200b", "\u3000\n\ufeff", "\r\n\t"])
def test_invisible_text_is_empty(sample_report, text):
    report = dataclasses.replace(sample_report, texts={**sample_report.texts, "TEXT_OTHER": text})
    assert not visible(text)
    assert "TEXT_EMPTY" in {f.code for f in run(Context(report))}


def test_the_published_sample_text_raises_nothing(sample_report):
    codes = {f.code for f in run(Context(sample_report))}
    assert not codes & {"TEXT_PLACEHOLDER", "TEXT_EMPTY", *TEXT_CODES}
