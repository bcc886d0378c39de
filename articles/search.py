"""Free-text search over headline, dek and body, ranked, in the database's own full-text index.

- PostgreSQL: ``websearch_to_tsquery`` (readers may type "quoted phrases", ``-word`` and
  ``or``) against a stored, GIN-indexed ``search_document`` column that weights the headline A,
  the dek B and the body C (migration ``0017_search_index``), ranked by ``ts_rank``.
- SQLite: an FTS5 table ``articles_article_search`` of the same three fields (the body as plain
  text), kept by triggers and stemmed by Porter, ranked by ``bm25`` with the same weights. The
  reader's query is read the same way as on PostgreSQL (``parse_query``) and written as an
  FTS5 query.

For simple queries (words, a quoted phrase, an excluded word, "or") both give the same stories;
``tests/test_search.py`` runs one list of queries on each. ``parse_query`` and ``highlight``
also mark the matched words in the excerpts of the results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import NotSupportedError, connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from articles.sanitize import to_plain_text
from articles.search_index import SQLITE_TABLE

MAX_QUERY_LENGTH = 200
# PostgreSQL's default weights for D, C, B and A: body is C, dek B, headline A. SQLite's bm25
# takes the same weights, one per column of the FTS5 table.
WEIGHTS = {"headline": 1.0, "dek": 0.4, "body": 0.2}
# The text-search configuration of the stored search document (articles/search_index.py).
POSTGRES_CONFIG = "english"

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


@dataclass
class Term:
    """One word or quoted phrase of a query, as a list of words.

    ``words`` leaves out stop words, as PostgreSQL does; ``phrase`` keeps every word, so that
    a phrase such as "Bank of England" still has to appear as written.
    """

    words: list[str]
    phrase: list[str] = field(default_factory=list)

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
        every_word = _WORD.findall(raw.lower())
        words = [w for w in every_word if w not in STOP_WORDS]
        if not words:
            continue
        term = Term(words, every_word)
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


def search_articles(queryset: QuerySet, text: str) -> QuerySet:
    """``queryset`` narrowed to the articles matching ``text``, best first."""
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        return postgres_search(queryset, text)
    if vendor == "sqlite":
        return sqlite_search(queryset, text)
    raise NotSupportedError(f"Full-text search is not set up for {vendor}.")


def postgres_search(queryset: QuerySet, text: str) -> QuerySet:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField

    table = queryset.model._meta.db_table
    # The stored column is not a model field (SQLite has none): named here, never selected.
    document = RawSQL(f'"{table}"."search_document"', [], output_field=SearchVectorField())
    query = SearchQuery(text, search_type="websearch", config=POSTGRES_CONFIG)
    return (
        queryset.alias(search_document=document)
        .filter(search_document=query)
        .annotate(rank=SearchRank(document, query))
        .order_by("-rank", "-published_at", "-pk")
    )


def fts5_query(parsed: ParsedQuery) -> str:
    """``parsed`` as an FTS5 query: every word quoted, so no word is read as an operator."""

    def term(term: Term) -> str:
        return '"' + " ".join(term.phrase or term.words) + '"'

    def any_of(terms: list[Term]) -> str:
        return "(" + " OR ".join(term(t) for t in terms) + ")"

    query = " AND ".join(any_of(group) for group in parsed.all)
    if parsed.none:
        query = f"({query}) NOT {any_of(parsed.none)}"
    return query


def sqlite_search(queryset: QuerySet, text: str) -> QuerySet:
    parsed = parse_query(text)
    if not parsed:
        return queryset.none()
    table = queryset.model._meta.db_table
    weights = ", ".join(str(weight) for weight in WEIGHTS.values())
    # One pass over the index, joined on the article's id; bm25 is lower for better matches.
    return queryset.extra(
        tables=[SQLITE_TABLE],
        where=[f'{SQLITE_TABLE}.rowid = "{table}"."id"', f"{SQLITE_TABLE} MATCH %s"],
        params=[fts5_query(parsed)],
        select={"rank": f"-bm25({SQLITE_TABLE}, {weights})"},
    ).order_by("-rank", "-published_at", "-pk")


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
