"""What the report's text states about its figures, read clause by clause.

A claim is a count the text attaches to one thing the tables also count: applications received,
carried over from last year or into next year, 行政复议 and 行政诉讼 in total or by result. The
reading is deliberately narrow — a number counts only when a counting unit follows it (件, 宗,
起, 份; 个 unless 个工作日), a clause opened by 其中 or a bracket is a breakdown of the one
before, and a clause about something else states nothing — because a false alarm on ordinary
wording costs a clerk more than a missed one. ``tests/corpus/narrative.json`` holds the
sentences it is judged on.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from ..model.values import chinese_number

RECEIVED, CARRIED_IN, CARRIED_FORWARD, REVIEW, SUIT = (
    "received", "carried_in", "carried_forward", "review", "suit")
#: Result words of 行政复议/行政诉讼 → the table's column key.
RESULTS = (("尚未审结", "PENDING"), ("未审结", "PENDING"), ("维持", "UPHELD"),
           ("纠正", "CORRECTED"), ("其他结果", "OTHER"))

_CN = "零〇一二两三四五六七八九十百千万"
_COUNT = re.compile(rf"(?<![第\d.])(\d+|[{_CN}]+)\s*(?:件|宗|起|份|个(?!工作日|自然日|月|小时|百分点|方面))")
_SENTENCE = re.compile(r"[。；;！!？?\n]")
_CLAUSE = re.compile(r"[，,：:]")
_BRACKETS = re.compile(r"[（(][^（()）]*[)）]")
_RECEIVE = re.compile(r"(?:收到|受理|接收|接到|新收)")
_NEGATED = re.compile(r"(?:未|没有|无)(?:新)?(?:收到|受理|接收|接到)(?:过)?[^，,]*?申请(?!人)")
_NOT_ABOUT_RECEIVING = re.compile(r"逾期|异议|投诉|举报|复议|诉讼")
_TOTAL_WORD = re.compile(r"(?:共计?|合计|总计|累计|总数(?:为)?)\s*$")
_CARRIED_IN = re.compile(r"上一?年(?:度)?结转|结转上一?年(?:度)?")
_CARRIED_FORWARD = re.compile(r"结转(?:至|到|入)?下一?年(?:度)?")


@dataclass(frozen=True)
class Claim:
    """A count the text states: about ``what`` (with ``column`` for a result), and where."""

    what: str
    value: int
    phrase: str
    column: str = ""


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else chinese_number(text)


def _counts(clause: str) -> list[tuple[int, int]]:
    """(position, value) of every count in the clause."""
    found = []
    for match in _COUNT.finditer(clause):
        value = _number(match.group(1))
        if value is not None:
            found.append((match.start(), value))
    return found


def normalised(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@functools.lru_cache(maxsize=64)
def sentences(text: str) -> tuple[tuple[str, ...], ...]:
    """Sentences as clauses, bracketed breakdowns removed (cached: two rules read the same text)."""
    result = []
    for sentence in _SENTENCE.split(normalised(text)):
        sentence = _BRACKETS.sub("", sentence)
        clauses = tuple(c.strip() for c in _CLAUSE.split(sentence) if c.strip())
        if clauses:
            result.append(clauses)
    return tuple(result)


def _received(clause: str) -> Claim | None:
    """收到政府信息公开申请3件 / 收到当面申请1件、网络申请2件 (summed) / 共收到…共计3件."""
    verb = _RECEIVE.search(clause)
    if not verb or "申请" not in clause[verb.end():] or _NOT_ABOUT_RECEIVING.search(clause):
        return None
    if re.search(r"(?:未|没有|无)$", clause[:verb.start()]):
        return None
    counts = [(pos, n) for pos, n in _counts(clause) if pos > verb.start()]
    if not counts:
        return None
    totals = [n for pos, n in counts if _TOTAL_WORD.search(clause[:pos])]
    value = totals[0] if totals else sum(n for _, n in counts)
    return Claim(RECEIVED, value, clause)


def _after(pattern: re.Pattern[str], what: str, clause: str) -> Claim | None:
    match = pattern.search(clause)
    if not match:
        return None
    counts = [n for pos, n in _counts(clause) if pos >= match.end()]
    return Claim(what, counts[0], clause) if counts else None


def _proceedings(clause: str, topic: str) -> list[Claim]:
    """行政复议1件 (a total) / 行政复议结果维持1件，纠正1件 (by result, the topic carried over
    from the clause before) / 行政复议、行政诉讼各0件."""
    claims = []
    results = [(clause.find(word), word, column) for word, column in RESULTS if word in clause]
    results = [r for r in results if r[0] >= 0 and not (r[1] == "未审结" and "尚未审结" in clause)]
    counts = _counts(clause)
    for start, word, column in sorted(results):
        after = [n for pos, n in counts if pos >= start + len(word)]
        if after:
            claims.append(Claim(topic, after[0], clause, column))
    if results:
        return claims
    both = "复议" in clause and "诉讼" in clause
    each = re.search(rf"[各均]\s*(\d+|[{_CN}]+)\s*(?:件|宗|起)", clause)
    if both and each:
        value = _number(each.group(1))
        return [] if value is None else [Claim(REVIEW, value, clause), Claim(SUIT, value, clause)]
    keyword = "行政复议" if topic == REVIEW else "行政诉讼"
    direct = re.search(rf"{keyword}(?:案件|申请|案)?(?:共计?|合计|总计)?\s*(\d+|[{_CN}]+)\s*"
                       r"(?:件|宗|起)", clause)
    if direct:
        value = _number(direct.group(1))
        if value is not None:
            claims.append(Claim(topic, value, clause))
    return claims


def _topic(clause: str, current: str) -> str:
    if "行政复议" in clause and "行政诉讼" not in clause:
        return REVIEW
    if "行政诉讼" in clause and "行政复议" not in clause:
        return SUIT
    if _RECEIVE.search(clause) or _CARRIED_IN.search(clause) or _CARRIED_FORWARD.search(clause):
        return ""
    return current


def claims(text: str) -> list[Claim]:
    """Every count the text states about the figures the tables hold."""
    found: list[Claim] = []
    for clauses in sentences(text):
        topic = ""
        for clause in clauses:
            topic = _topic(clause, topic)
            if clause.startswith("其中"):
                continue  # a breakdown of the clause before
            if topic in (REVIEW, SUIT) or ("复议" in clause and "诉讼" in clause):
                found += _proceedings(clause, topic or REVIEW)
                continue
            for claim in (_after(_CARRIED_IN, CARRIED_IN, clause),
                          _after(_CARRIED_FORWARD, CARRIED_FORWARD, clause), _received(clause)):
                if claim is not None:
                    found.append(claim)
                    break
    return found


def says_none_received(text: str) -> str | None:
    """The clause that says no application was received (未收到政府信息公开申请), if any;
    not 无逾期未受理申请, not 未收到申请人…异议, not 未收到行政复议申请."""
    for clauses in sentences(text):
        for clause in clauses:
            if _NEGATED.search(clause) and not _NOT_ABOUT_RECEIVING.search(clause):
                return clause
    return None
