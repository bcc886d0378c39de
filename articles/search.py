"""Free-text search over headline, dek and body, ranked.

On PostgreSQL this is its full-text search: ``websearch_to_tsquery`` (so readers may type
"quoted phrases", ``-word`` and ``or``) against the headline (weight A), dek (B) and body (C),
ranked by ``ts_rank``. Elsewhere (SQLite in development and the default test run) a fallback
reads the query the same way and matches whole words, case-insensitively, with the same light
stemming of plurals and common endings and the same English stop words, ranked by the same
weights. For simple queries (words, a quoted phrase, an excluded word) both give the same
stories; ``tests/test_search.py`` runs the two side by side on PostgreSQL to keep it so.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from functools import reduce

from django.conf import settings
from django.db import connections
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from articles.sanitize import to_plain_text

MAX_QUERY_LENGTH = 200
# PostgreSQL's default weights for D, C, B and A: body is C, dek B, headline A.
WEIGHTS = {"headline": 1.0, "dek": 0.4, "body": 0.2}

# PostgreSQL's English stop words (snowball's english.stop), which its full-text search drops.
STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
    """.split()
)
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_WORD = re.compile(r"\w+")
_SUFFIXES = ("ies", "ied", "ing", "ed", "es", "s", "ly")
# What may follow a stem in the text: "meet" finds meet, meets, meeting; "polic" policy, policies.
_ENDINGS = "(?:s|es|e|ed|d|ing|ly|y|ies|ied)?"


def search_config() -> str:
    return getattr(settings, "NEWSROOM_SEARCH_CONFIG", "english")


@dataclass
class Term:
    """One word or quoted phrase of a query, as a list of words."""

    words: list[str]

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass
class ParsedQuery:
    """``all`` groups must each match one of their terms; no ``none`` term may match."""

    all: list[list[Term]] = field(default_factory=list)
    none: list[Term] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.all)

    def terms(self) -> list[Term]:
        return [term for group in self.all for term in group]


def parse_query(text: str) -> ParsedQuery:
    """Read ``text`` as PostgreSQL's websearch_to_tsquery does, for the simple cases.

    Words are ANDed, ``"a phrase"`` must appear in order, ``-word`` excludes, ``or`` between two
    terms makes either one do. Stop words and punctuation are dropped.
    """
    parsed = ParsedQuery()
    pending_or = False
    for match in _TOKEN.finditer(text):
        negated = bool(match.group(1) or match.group(3))
        raw = match.group(2) if match.group(2) is not None else match.group(4)
        if match.group(4) is not None and raw.lower() == "or" and not negated:
            pending_or = bool(parsed.all)
            continue
        words = [w for w in _WORD.findall(raw.lower()) if w not in STOP_WORDS]
        if not words:
            continue
        term = Term(words)
        if negated:
            parsed.none.append(term)
            pending_or = False
        elif pending_or:
            parsed.all[-1].append(term)
            pending_or = False
        else:
            parsed.all.append([term])
    return parsed


def stem(word: str) -> str:
    """A crude English stem: enough to make "ministers" find "minister" and "meeting" "meets"."""
    for suffix in _SUFFIXES:
        if len(word) - len(suffix) < 3 or not word.endswith(suffix):
            continue
        if suffix == "s" and word.endswith(("ss", "us", "is")):
            continue
        return word[: -len(suffix)]
    return word


def _word_pattern(word: str, boundary: str) -> str:
    return f"{boundary}{re.escape(stem(word))}{_ENDINGS}{boundary}"


def term_pattern(term: Term, boundary: str = r"\b") -> str:
    """A regular expression for one term; phrase words may be separated by other characters."""
    return r"\W+".join(_word_pattern(word, boundary) for word in term.words)


def _term_q(term: Term, fields, boundary: str) -> Q:
    pattern = term_pattern(term, boundary)
    return reduce_or(Q(**{f"{name}__iregex": pattern}) for name in fields)


def reduce_or(conditions) -> Q:
    return reduce(operator.or_, conditions)


def search_articles(queryset: QuerySet, text: str) -> QuerySet:
    """``queryset`` narrowed to the articles matching ``text``, best first."""
    if connections[queryset.db].vendor == "postgresql":
        return postgres_search(queryset, text)
    return fallback_search(queryset, text)


def postgres_search(queryset: QuerySet, text: str) -> QuerySet:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    config = search_config()
    vector = (
        SearchVector("headline", weight="A", config=config)
        + SearchVector("dek", weight="B", config=config)
        + SearchVector("body", weight="C", config=config)
    )
    query = SearchQuery(text, search_type="websearch", config=config)
    return (
        queryset.annotate(search_document=vector)
        .filter(search_document=query)
        .annotate(rank=SearchRank(vector, query))
        .order_by("-rank", "-published_at", "-pk")
    )


def fallback_search(queryset: QuerySet, text: str) -> QuerySet:
    """Whole-word regular expressions, for databases without full-text search."""
    parsed = parse_query(text)
    if not parsed:
        return queryset.none()
    boundary = r"\y" if connections[queryset.db].vendor == "postgresql" else r"\b"
    fields = tuple(WEIGHTS)
    condition = Q()
    for group in parsed.all:
        condition &= reduce_or(_term_q(term, fields, boundary) for term in group)
    for term in parsed.none:
        condition &= ~_term_q(term, fields, boundary)
    rank = Value(0.0, output_field=FloatField())
    for term in parsed.terms():
        pattern = term_pattern(term, boundary)
        for name, weight in WEIGHTS.items():
            rank = rank + Case(
                When(**{f"{name}__iregex": pattern}, then=Value(weight)),
                default=Value(0.0),
                output_field=FloatField(),
            )
    return (
        queryset.filter(condition)
        .annotate(rank=rank)
        .order_by(F("rank").desc(), "-published_at", "-pk")
    )


def highlight(text: str, query: str, *, length: int = 220) -> SafeString:
    """An excerpt of ``text`` (HTML or plain) around the first match, matches in <mark>.

    Everything is escaped first; only the <mark> elements are markup.
    """
    plain = to_plain_text(text)
    parsed = parse_query(query or "")
    patterns = [term_pattern(term) for term in parsed.terms()]
    if not plain:
        return mark_safe("")
    if not patterns:
        return escape(Truncator(plain).chars(length))
    matcher = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    first = matcher.search(plain)
    start = 0
    if first and first.start() > length // 3:
        start = plain.rfind(" ", 0, first.start() - length // 3) + 1
    excerpt = plain[start : start + length]
    if start + length < len(plain):
        cut = excerpt.rfind(" ")
        excerpt = (excerpt[:cut] if cut > length // 2 else excerpt) + "…"
    if start:
        excerpt = "…" + excerpt
    pieces, last = [], 0
    for match in matcher.finditer(excerpt):
        pieces.append(escape(excerpt[last : match.start()]))
        pieces.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    pieces.append(escape(excerpt[last:]))
    return mark_safe("".join(pieces))
