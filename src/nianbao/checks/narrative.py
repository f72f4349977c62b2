"""What the report's text states about its figures, read clause by clause.

A claim is a (quantity, value) the text asserts about one thing the tables also count:
applications received, carried over from last year or into next year, 行政复议 and 行政诉讼 in
total or by result — 新收申请 = 12, 行政复议 = 0 — and the one claim without a number, that no
application was received. A clause is cut into phrases where another quantity's marker begins
(…申请7件、上年结转1件), and each phrase is asked what it asserts: a number counts only when a
counting unit follows it and no change word precedes it (较上年增加3件); a denial counts only
when what it denies is the quantity itself (未收到政府信息公开申请), not a kind of it or
another matter (无逾期未受理申请, 未收到申请人的异议, 不存在应受理而未受理申请的情形); a
clause of another year (2023年收到…) states nothing about this one; a clause opened by 其中
or in brackets is a breakdown of the one before; a clause that goes on from the last (…，
2024年收到6件 / …，共8件 / …，信函申请2件) carries its object.

The words are data, ``spec/wording.toml``, not code: a new way of writing is a row there.
``tests/corpus/clauses.json`` holds the sentences it is judged on.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from .. import spec
from ..model.values import chinese_number

RECEIVED, CARRIED_IN, CARRIED_FORWARD, REVIEW, SUIT = (
    "received", "carried_in", "carried_forward", "review", "suit")

_CN = "零〇一二两三四五六七八九十百千万"
_SENTENCE = re.compile(r"[。；;！!？?\n]")
_CLAUSE = re.compile(r"[，,：:]")
_BRACKETS = re.compile(r"[（(][^（()）]*[)）]")
#: How far before a count a change or total word may stand (the longest is four characters);
#: and how far 申请 may stand from its verb. Bounded, so that reading is linear in the text.
_WORD_REACH, _OBJECT_REACH = 8, 60
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
_YEAR = re.compile(r"((?:19|20)\d\d)年(?!度?结转)")


@dataclass(frozen=True)
class Claim:
    """A count the text states: about ``what`` (with ``column`` for a result), and where."""

    what: str
    value: int
    phrase: str
    column: str = ""


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class Wording:
    """The words of ``spec/wording.toml``, compiled."""

    data: Any  # the parsed file (a dict of tables)

    @functools.cached_property
    def count(self) -> re.Pattern[str]:
        c = self.data["counts"]
        units = _alternation(c["units"])
        return re.compile(rf"(?<![第\d.])(\d+|[{_CN}]+)(?:{units})(?!{_alternation(c['not_after_unit'])})")

    @functools.cached_property
    def change(self) -> re.Pattern[str]:
        return re.compile(rf"(?:{_alternation(self.data['counts']['changes'])})$")

    @functools.cached_property
    def total(self) -> re.Pattern[str]:
        return re.compile(rf"(?:{_alternation(self.data['counts']['totals'])})$")

    @functools.cached_property
    def other_year(self) -> re.Pattern[str]:
        return re.compile(_alternation(self.data["counts"]["other_years"]))

    @functools.cached_property
    def year_range(self) -> re.Pattern[str]:
        return re.compile(self.data["counts"]["year_range"])

    @functools.cached_property
    def negation(self) -> re.Pattern[str]:
        return re.compile(rf"(?:{_alternation(self.data['negation']['words'])})$")

    @functools.cached_property
    def negation_anywhere(self) -> re.Pattern[str]:
        return re.compile(_alternation(self.data["negation"]["words"]))

    @functools.cached_property
    def verb(self) -> re.Pattern[str]:
        return re.compile(_alternation(self.data["received"]["verbs"]))

    @functools.cached_property
    def object(self) -> re.Pattern[str]:
        return re.compile(self.data["received"]["object"])

    @functools.cached_property
    def modifiers(self) -> re.Pattern[str]:
        return re.compile(rf"(?:{_alternation(self.data['received']['modifiers'])})*")

    @functools.cached_property
    def channel_words(self) -> re.Pattern[str]:
        return re.compile(rf"(?:{_alternation(self.data['received']['channels'])})")

    @functools.cached_property
    def counted_before(self) -> re.Pattern[str]:
        return re.compile(self.data["received"]["counted_before"])

    @functools.cached_property
    def verbless(self) -> re.Pattern[str]:
        return re.compile(self.data["received"]["verbless"])

    @functools.cached_property
    def not_received(self) -> re.Pattern[str]:
        return re.compile(_alternation(self.data["received"]["not_about"]))

    @functools.cached_property
    def carried(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        return tuple((what, re.compile("|".join(self.data[what]["markers"])))
                     for what in (CARRIED_IN, CARRIED_FORWARD))

    @functools.cached_property
    def proceedings(self) -> dict[str, Any]:
        return self.data["proceedings"]

    @functools.cached_property
    def result_words(self) -> re.Pattern[str]:
        return re.compile(_alternation([word for word, _ in self.proceedings["results"]]))

    @functools.cached_property
    def not_proceeding(self) -> re.Pattern[str]:
        return re.compile(_alternation(self.proceedings["not_about"]))

    def general(self, between: str) -> bool:
        """Whether the words between a verb and 申请 leave it all applications (政府信息公开,
        群众提出的, 当面), not a kind of them (需要补正的, 行政许可)."""
        return self.modifiers.fullmatch(between) is not None


@functools.cache
def wording() -> Wording:
    return Wording(spec.wording())


def with_rows(**rows: Any) -> Wording:
    """The wording with rows added to its lists (``received={"verbs": ["收悉"]}``): how a new
    way of writing is taught, and how a test shows it is one row."""
    data = {table: dict(values) for table, values in spec.wording().items()}
    for table, fields in rows.items():
        for name, values in fields.items():
            data[table][name] = list(data[table][name]) + list(values)
    return Wording(data)


@functools.lru_cache(maxsize=64)
def sentences(text: str) -> tuple[tuple[str, ...], ...]:
    """Sentences as clauses, bracketed breakdowns removed (cached: two rules read the same text)."""
    result = []
    text = _THOUSANDS.sub("", unicodedata.normalize("NFKC", text))
    for sentence in _SENTENCE.split(text):
        sentence = _BRACKETS.sub("", re.sub(r"[ \t\u3000\xa0]+", "", sentence))
        clauses = tuple(c for c in _CLAUSE.split(sentence) if c)
        if clauses:
            result.append(clauses)
    return tuple(result)


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else chinese_number(text)


@dataclass
class _Reader:
    """One sentence read clause by clause: the claims, and what a clause hands the next."""

    words: Wording
    year: int | None
    claims: list[Claim] = dataclasses.field(default_factory=list)
    none_received: str | None = None
    topic: str = ""
    receiving: bool = False  # the last clause was about applications received
    channel_claim: int | None = None  # index of a claim summed from channels (当面…、网络…)
    last: str = ""  # the clause before

    def another_year(self, clause: str) -> bool:
        if self.words.year_range.search(clause):
            return True
        rest = clause
        for _, marker in self.words.carried:
            rest = marker.sub("", rest)
        if self.words.other_year.search(rest):
            return True
        years = {int(y) for y in _YEAR.findall(clause)}
        return self.year is not None and bool(years) and self.year not in years

    def clause(self, clause: str) -> None:
        try:
            self._clause(clause)
        finally:
            self.last = clause

    def _clause(self, clause: str) -> None:
        self.topic = _topic(clause, self.topic, self.words)
        if clause.startswith(tuple(self.words.data["clauses"]["breakdowns"])):
            return  # a breakdown of the clause before
        if self.another_year(clause):
            # 2023年收到…4件: not this year's; the next clause may go on (2024年收到6件)
            verb = self.words.verb.search(clause)
            obj = self.object(clause, verb.end()) if verb else None
            self.receiving = verb is not None and obj is not None and self.words.general(
                clause[verb.end():obj.start()])
            self.channel_claim = None
            return
        p = self.words.proceedings
        if self.topic in (REVIEW, SUIT) or (p["review"] in clause and p["suit_short"] in clause):
            self.claims += _proceedings(clause, self.topic or REVIEW, self.words)
            self.receiving = False
            return
        before = self.last
        for phrase, what, negated in self.phrases(clause):
            if what == RECEIVED:
                self.received(phrase)
            else:
                self.carried(phrase, what, negated, before)
            before = phrase

    def phrases(self, clause: str) -> list[tuple[str, str, bool]]:
        """The clause cut where a carried marker begins: (phrase, quantity, denied)."""
        cuts = sorted((m.start(), what) for what, marker in self.words.carried
                      for m in marker.finditer(clause))
        out, start, what = [], 0, RECEIVED
        for at, next_what in cuts:
            out.append((clause[start:at], what, False))
            start, what = at, next_what
        out.append((clause[start:], what, False))
        # a denial just before a marker denies the quantity it marks (无上年结转申请)
        return [(text, kind, kind != RECEIVED and i > 0
                 and bool(self.words.negation.search(out[i - 1][0])))
                for i, (text, kind, _) in enumerate(out) if text]

    def carried(self, phrase: str, what: str, negated: bool, before: str) -> None:
        """结转下年度2件 / 无上年结转申请 (0) / 2件申请…，结转至下年度 (the count before)."""
        self.receiving = False
        counts = _counts(self.words, phrase)
        earlier = self.words.counted_before.findall(before)
        if counts:
            self.claims.append(Claim(what, counts[0][1], phrase))
        elif negated:
            self.claims.append(Claim(what, 0, phrase))
        elif earlier and (value := _number(earlier[-1])) is not None:
            self.claims.append(Claim(what, value, before + phrase))

    def received(self, phrase: str) -> None:
        words = self.words
        verb = words.verb.search(phrase)
        if verb is None:
            self.verbless(phrase)
            return
        if words.not_received.search(phrase):
            self.receiving = False
            return
        denied = bool(words.negation.search(phrase[:verb.start()]))
        obj = self.object(phrase, verb.end())
        general = obj is not None and words.general(phrase[verb.end():obj.start()])
        if denied:
            if general and self.none_received is None:
                self.none_received = phrase
            self.receiving = False
            return
        if obj is None:
            if self.receiving:  # …，2024年收到6件: the object goes on from the last clause
                self.claim(phrase, verb.end(), channels=False)
            return
        if not general:
            self.receiving = False
            return
        between = phrase[verb.end():obj.start()]
        self.claim(phrase, obj.end(), channels=bool(words.channel_words.search(between)))
        self.receiving = True

    def object(self, phrase: str, start: int) -> re.Match[str] | None:
        """The 申请 the verb governs: the first with only modifiers before it (依申请公开申请's
        first 申请 is inside 依申请公开), else the first."""
        found: list[re.Match[str]] = []
        for m in self.words.object.finditer(phrase, start):
            if found and m.start() - start > _OBJECT_REACH:
                break
            found.append(m)
        return next((m for m in found if self.words.general(phrase[start:m.start()])),
                    found[0] if found else None)

    def claim(self, phrase: str, start: int, channels: bool) -> None:
        counts = _counts(self.words, phrase, start)
        if not counts:
            return
        totals = [n for _, n, total in counts if total]
        self.claims.append(Claim(RECEIVED, totals[0] if totals else sum(n for _, n, _ in counts),
                                 phrase))
        self.channel_claim = len(self.claims) - 1 if channels and not totals else None

    def verbless(self, phrase: str) -> None:
        words = self.words
        denial = words.verbless.search(phrase)
        if denial is not None:
            if (words.general(denial.group("between"))
                    and not words.not_received.search(phrase) and self.none_received is None):
                self.none_received = phrase
            self.receiving = False
            return
        counts = _counts(self.words, phrase)
        if not counts or not self.receiving:
            return
        listed = words.channel_words.match(phrase)
        if listed and self.channel_claim is not None:  # …，信函申请2件: one more channel
            last = self.claims[self.channel_claim]
            self.claims[self.channel_claim] = dataclasses.replace(
                last, value=last.value + sum(n for _, n, _ in counts))
        elif counts[0][2]:  # …，共8件: the total of what the clause before counted
            self.claims.append(Claim(RECEIVED, counts[0][1], phrase))


def _counts(words: Wording, text: str, start: int = 0) -> list[tuple[int, int, bool]]:
    """(position, value, is a total) of every count from ``start``; changes left out."""
    found = []
    for match in words.count.finditer(text, start):
        before = text[max(0, match.start() - _WORD_REACH):match.start()]
        if words.change.search(before):
            continue
        value = _number(match.group(1))
        if value is not None:
            found.append((match.start(), value, bool(words.total.search(before))))
    return found


def _proceedings(clause: str, topic: str, words: Wording) -> list[Claim]:
    """行政复议1件 (a total) / 行政复议结果维持1件，纠正1件 (by result, the topic carried over
    from the clause before) / 行政复议、行政诉讼各0件 / 未发生行政复议和行政诉讼 (both 0)."""
    p = words.proceedings
    counts = [(pos, n) for pos, n, _ in _counts(words, clause)]
    columns = dict(p["results"])
    results = [(m.start(), m.group(), columns[m.group()])
               for m in words.result_words.finditer(clause)]  # 尚未审结 is not also 未审结
    claims = []
    for start, word, column in results:
        after = [n for pos, n in counts if pos >= start + len(word)]
        if after:
            claims.append(Claim(topic, after[0], clause, column))
    if results:
        return claims
    review = p["review"] in clause
    suit = p["suit"] in clause or (review and p["suit_short"] in clause[clause.find(p["review"]):])
    units = _alternation(p["units"])
    each = re.search(rf"(?:{_alternation(p['each'])})(\d+|[{_CN}]+)(?:{units})", clause)
    if review and suit and each:
        value = _number(each.group(1))
        return [] if value is None else [Claim(REVIEW, value, clause), Claim(SUIT, value, clause)]
    keyword = p["review"] if topic == REVIEW else p["suit"]
    direct = re.search(rf"{keyword}{p['between']}(\d+|[{_CN}]+)(?:{units})", clause)
    if direct:
        value = _number(direct.group(1))
        if value is not None:
            claims.append(Claim(topic, value, clause))
    first = min((clause.find(k) for k in (p["review"], p["suit"], p["suit_short"])
                 if k in clause), default=-1)
    if (not claims and not counts and first > 0 and words.negation_anywhere.search(clause[:first])
            and not words.not_proceeding.search(clause)):
        claims += [Claim(what, 0, clause) for what, named in ((REVIEW, review), (SUIT, suit))
                   if named]  # 未发生行政复议和行政诉讼: none of either
    return claims


def _topic(clause: str, current: str, words: Wording) -> str:
    p = words.proceedings
    if p["review"] in clause and p["suit"] not in clause:
        return REVIEW
    if p["suit"] in clause and p["review"] not in clause:
        return SUIT
    if words.verb.search(clause) or any(m.search(clause) for _, m in words.carried):
        return ""
    return current


def read(text: str, year: int | None = None, words: Wording | None = None) -> list[_Reader]:
    """Every sentence of the text, read."""
    readers = []
    for clauses in sentences(text):
        reader = _Reader(words or wording(), year)
        for clause in clauses:
            reader.clause(clause)
        readers.append(reader)
    return readers


def claims(text: str, year: int | None = None, words: Wording | None = None) -> list[Claim]:
    """Every count the text states about the figures the tables hold."""
    return [c for reader in read(text, year, words) for c in reader.claims]


def says_none_received(text: str, words: Wording | None = None) -> str | None:
    """The clause that says no application was received (未收到政府信息公开申请), if any;
    not 无逾期未受理申请, not 未收到申请人…异议, not 未收到行政复议申请."""
    return next((r.none_received for r in read(text, None, words) if r.none_received), None)
