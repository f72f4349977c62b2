"""The text checks judged on corpora of real-style sentences: no false alarm, nothing missed."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest

from nianbao import spec
from nianbao.checks import narrative
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


# ---------------------------------------------------------------- the clause corpus (#24)
#: A corpus claim key → the input figure a fill sets to agree with it (自然人 column; a
#: proceeding's total or result in 行政复议 and 未经复议直接起诉).
CLAIM_FIGURES = {
    "received": "new", "carried_in": "carried_in", "carried_forward": "forward",
    "review": "review_upheld", "suit": "suit_direct_upheld",
    **{f"review_{c}": f"review_{c}" for c in ("upheld", "corrected", "other", "pending")},
    **{f"suit_{c}": f"suit_direct_{c}" for c in ("upheld", "corrected", "other", "pending")},
}


def _claims(text: str, words=None) -> dict[str, int]:
    found: dict[str, int] = {}
    for claim in narrative.claims(text, 2024, words):
        found[claim.what + (f"_{claim.column.lower()}" if claim.column else "")] = claim.value
    return found


def test_the_clause_corpus_is_large_and_varied():
    cases = _load("clauses.json")
    assert len(cases) >= 300
    groups = {c["group"] for c in cases}
    assert len(groups) >= 8
    kinds = {k for c in cases for k in c["claims"]}
    assert {"received", "carried_in", "carried_forward", "review", "suit"} <= kinds
    assert sum(1 for c in cases if c.get("none_received")) >= 10
    assert sum(1 for c in cases if not c["claims"] and not c.get("none_received")) >= 80


def test_every_sentence_reads_as_the_corpus_says():
    """What each sentence asserts, read clause by clause: zero misreadings."""
    wrong = [(c["text"], c["claims"], _claims(c["text"])) for c in _load("clauses.json")
             if _claims(c["text"]) != c["claims"]]
    assert wrong == []
    wrong = [c["text"] for c in _load("clauses.json")
             if (narrative.says_none_received(c["text"]) is not None) != c.get("none_received",
                                                                                False)]
    assert wrong == []
    wrong = [c["text"] for c in _load("clauses.json")
             if bool(placeholders(c["text"])) != c.get("placeholder", False)]
    assert wrong == []


def _agreeing(claims: dict[str, int]) -> dict[str, int]:
    figures = {"new": 3}
    for key, value in claims.items():
        figures[CLAIM_FIGURES[key]] = figures.get(CLAIM_FIGURES[key], 0) + value if (
            key in ("review", "suit")) else value
    # a total claim and result claims of the same proceeding: the results carry the total
    for proceeding, first in (("review", "review_upheld"), ("suit", "suit_direct_upheld")):
        results = sum(v for k, v in claims.items() if k.startswith(f"{proceeding}_"))
        if proceeding in claims and results:
            figures[first] = claims[proceeding] - results + claims.get(f"{proceeding}_upheld", 0)
    return figures


def test_the_corpus_no_false_alarm_and_none_missed_against_the_tables(sample_report):
    """Each sentence against a fill that agrees with it (no text finding) and, for each thing
    it asserts, a fill that does not (the finding): the rules, not only the reader."""
    false_alarms, missed = [], []
    for case in _load("clauses.json"):
        claims = case["claims"]
        agree = _agreeing(claims)
        if claims.get("received") == 0 or case.get("none_received"):
            agree["new"] = 0
        found = {f.code for f in run(Context(_report(sample_report, case["text"], agree)))}
        expected = {"TEXT_PLACEHOLDER"} if case.get("placeholder") else set()
        if found & {*TEXT_CODES, "TEXT_PLACEHOLDER"} != expected:
            false_alarms.append((case["text"], found & {*TEXT_CODES, "TEXT_PLACEHOLDER"}))
        for key in claims:
            off = dict(agree)
            off[CLAIM_FIGURES[key]] = off.get(CLAIM_FIGURES[key], 0) + 1
            found = {f.code for f in run(Context(_report(sample_report, case["text"], off)))}
            if "TEXT_FIGURE_MISMATCH" not in found:
                missed.append((case["text"], key))
        if case.get("none_received"):
            found = {f.code for f in run(Context(_report(sample_report, case["text"],
                                                         {**agree, "new": 2})))}
            if "TEXT_NO_REQUESTS" not in found:
                missed.append((case["text"], "none_received"))
    assert (false_alarms, missed) == ([], [])


def test_a_new_way_of_writing_is_one_data_row():
    """收悉 is not a verb the wording knows: the sentence states nothing; one row added to
    wording.toml's received.verbs and it is a claim — no code changed."""
    sentence = "本年度共收悉政府信息公开申请6件。"
    assert _claims(sentence) == {}
    taught = narrative.with_rows(received={"verbs": ["收悉"]})
    assert _claims(sentence, taught) == {"received": 6}
    assert narrative.says_none_received("本年度未收悉政府信息公开申请。", taught)
    assert not narrative.says_none_received("本年度未收悉政府信息公开申请。")
    # a word that may stand before 申请 without making it a kind of application: one row
    modified = "本年度收到线上线下政府信息公开申请2件。"
    assert _claims(modified) == {}
    assert _claims(modified, narrative.with_rows(received={"modifiers": ["线上线下"]})) == {
        "received": 2}
    # and a kind of application (not all of them) is one row of not_about
    kind = "本年度收到政府信息公开申请2件，均为涉企申请。"
    assert _claims("本年度收到涉企政府信息公开申请2件。", narrative.with_rows(
        received={"modifiers": ["涉企"]})) == {"received": 2}
    assert _claims("本年度收到涉企政府信息公开申请2件。", narrative.with_rows(
        received={"modifiers": ["涉企"], "not_about": ["涉企"]})) == {}
    assert _claims(kind) == {"received": 2}


def test_the_wording_lives_beside_the_spec_not_in_code():
    source = Path(narrative.__file__).read_text(encoding="utf-8")
    code = "\n".join(line for line in source.splitlines()
                     if not line.lstrip().startswith(("#", '"""')) and '"""' not in line)
    for word in ("收到", "受理", "逾期", "结转", "工作日", "同比", "共计"):
        assert f'"{word}' not in code, word
