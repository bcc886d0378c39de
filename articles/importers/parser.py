"""Turn the raw text of a scraped news page into a ParsedPage.

The scraped pages hold the whole page as text: navigation, the article, comment widgets and the
same rails of related stories printed more than once. This module keeps the article and each rail
once, and drops the rest. It touches no database and imports nothing from Django, so it can be
tested and reused on its own.

The layout it reads, top to bottom::

    Quick access to main page (top) Direct access to main contents ...   <- navigation, dropped
    Headline
    Daniel Kim Views 1,234                                                 <- byline and views
    Reuters-Yonhap                                                         <- credit, form A
    Caption sentence.                                                      <-   and its caption
      or
    Caption sentence. Kazan (Russia) / Reuters                             <- credit, form B
    Body paragraphs, separated by blank lines
    Daniel Kim                                                             <- sign-off name
    content@example.com                                                    <- sign-off email
    Comments0 / 300                                                        <- widgets, dropped
    [WORLD] Latest Stories                                                 <- rail; names section
      • Headline
    You May Also Like                                                      <- ranked rail
      • 1
        Headline
        LIFESTYLE
    Share it on...                                                         <- dropped
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

MAX_PAGE_BYTES = 2 * 1024 * 1024
MAX_HEADLINE_CHARS = 300

NAVIGATION_MARKERS = ("Quick access to main page", "Direct access to main contents")
SOURCE_LINE = re.compile(r"^(?:URL|Source):\s*(?P<url>https?://\S+)\s*$", re.IGNORECASE)
BYLINE = re.compile(r"^(?P<names>.+?)\s+Views\b\s*(?P<views>[\d,]*)\s*$")
EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
WIDGET = re.compile(r"^(?:Comments\s*\d*|\d+|Share it on\.*|Views)$", re.IGNORECASE)
RAIL_HEADER = re.compile(r"^(?:\[(?P<label>[^\]]+)\]\s*)?(?P<name>\S.*)$")
BULLET = re.compile(r"^\s*[•·*]\s*(?P<text>.*)$")
# One name in a credit: "Reuters", "Yonhap", "Getty Images", "AFP", "Kim Min-ji".
CREDIT_NAME = r"[A-Z][\w.&'’]*(?:\s+[A-Z][\w.&'’]*){0,3}"
CREDIT_LINE = re.compile(rf"^{CREDIT_NAME}(?:\s*[-/,]\s*{CREDIT_NAME})*$")
# "Caption sentence. Place / Agency": the place is optional ("Caption. / Reuters").
CAPTION_WITH_CREDIT = re.compile(
    r"^(?P<caption>.*?[.!?”\"])\s+(?:(?P<place>[^/]{1,80}?)\s*)?/\s*(?P<credit>[^/]{1,80})$"
)
SENTENCE_END = re.compile(r"[.!?][”\"’)]?(?=\s|$)")
NAME_SEPARATORS = re.compile(r"\s*(?:,|&|\band\b)\s*")


class PageError(ValueError):
    """The page cannot be imported; the message says what is missing or wrong."""


@dataclass(frozen=True)
class ParsedCredit:
    credit_line: str
    sources: tuple[str, ...]
    caption: str = ""
    place: str = ""


@dataclass(frozen=True)
class ParsedRailItem:
    headline: str
    section_label: str = ""


@dataclass(frozen=True)
class ParsedRail:
    name: str
    items: tuple[ParsedRailItem, ...]


@dataclass(frozen=True)
class ParsedPage:
    headline: str
    byline: tuple[str, ...]
    paragraphs: tuple[str, ...]
    credit: ParsedCredit | None = None
    section: str = ""
    signoff_name: str = ""
    signoff_email: str = ""
    rails: tuple[ParsedRail, ...] = field(default_factory=tuple)
    view_count: int | None = None
    source_url: str = ""


def read_page(path: Path | str) -> str:
    """Read a page file as text, refusing what cannot be a scraped page."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_PAGE_BYTES:
            raise PageError(f"file is {size:,} bytes; a page may be at most {MAX_PAGE_BYTES:,}")
        data = path.read_bytes()
    except OSError as error:
        raise PageError(f"cannot read the file ({error.strerror or error})") from error
    if not data.strip():
        raise PageError("the file is empty")
    if b"\x00" in data:
        raise PageError("the file is binary, not the text of a page")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PageError(f"the file is not UTF-8 text (bad byte at offset {error.start})") from error


def parse_article_page(text: str) -> ParsedPage:
    """Parse the text of one scraped page; raise PageError when it is not an article page."""
    lines = _clean_lines(text)
    source_url = ""
    position = _skip_blank(lines, 0)
    if position < len(lines) and (match := SOURCE_LINE.match(lines[position])):
        source_url = match["url"]
        position += 1
    while position < len(lines) and _is_navigation(lines[position]):
        position += 1
    position = _skip_blank(lines, position)

    if position >= len(lines):
        raise PageError("no headline: the page has no text after its navigation")
    headline = lines[position]
    if len(headline) > MAX_HEADLINE_CHARS or BYLINE.match(headline):
        raise PageError("no headline: the first line is not a headline")
    position = _skip_blank(lines, position + 1)

    byline_match = BYLINE.match(lines[position]) if position < len(lines) else None
    if not byline_match:
        raise PageError("no byline: expected a line like 'Author Name Views' after the headline")
    byline = tuple(name for name in NAME_SEPARATORS.split(byline_match["names"]) if name)
    views = byline_match["views"].replace(",", "")
    view_count = int(views) if views else None

    blocks = _blocks(lines, position + 1)
    signoff_at = _find_signoff(blocks)
    article_blocks = blocks[:signoff_at] if signoff_at is not None else _until_clutter(blocks)
    trailing = blocks[signoff_at + 1 :] if signoff_at is not None else blocks[len(article_blocks) :]

    credit, paragraphs = _split_credit(article_blocks)
    if not paragraphs:
        raise PageError("no body: found no article paragraphs after the byline")

    signoff_name = signoff_email = ""
    if signoff_at is not None:
        signoff_name, signoff_email = blocks[signoff_at]

    section, rails = _parse_rails(trailing)
    return ParsedPage(
        headline=headline,
        byline=byline,
        paragraphs=tuple(" ".join(block) for block in paragraphs),
        credit=credit,
        section=section,
        signoff_name=signoff_name,
        signoff_email=signoff_email,
        rails=rails,
        view_count=view_count,
        source_url=source_url,
    )


def split_credit_names(credit_line: str) -> tuple[str, ...]:
    """The agencies or photographers named in a credit: "Reuters-Yonhap" -> Reuters, Yonhap.

    A hyphen separates names only when the line has no spaces ("Reuters-Yonhap"), so a
    photographer such as "Kim Min-ji" stays whole; slashes and commas always separate.
    """
    parts = re.split(r"\s*[/,]\s*", credit_line.strip())
    names: list[str] = []
    for part in parts:
        pieces = part.split("-") if " " not in part else [part]
        names.extend(piece.strip() for piece in pieces if piece.strip())
    return tuple(dict.fromkeys(names))


def _clean_lines(text: str) -> list[str]:
    # Scrapes keep HTML's non-breaking spaces, sometimes as a bare "&nbsp" entity.
    text = re.sub(r"&nbsp;?", " ", text).replace("\u00a0", " ").replace("\r\n", "\n")
    text = text.replace("\r", "\n")
    return [line.rstrip() for line in text.split("\n")]


def _is_navigation(line: str) -> bool:
    return any(marker in line for marker in NAVIGATION_MARKERS)


def _skip_blank(lines: list[str], position: int) -> int:
    while position < len(lines) and not lines[position].strip():
        position += 1
    return position


def _blocks(lines: list[str], start: int) -> list[list[str]]:
    """Group the lines from ``start`` into blocks separated by blank lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines[start:]:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _find_signoff(blocks: list[list[str]]) -> int | None:
    """The index of the "Name / email" block that closes the article, if there is one."""
    for index, block in enumerate(blocks):
        if len(block) == 2 and EMAIL.match(block[1]) and len(block[0]) <= 120:
            return index
    return None


def _until_clutter(blocks: list[list[str]]) -> list[list[str]]:
    for index, block in enumerate(blocks):
        if WIDGET.match(block[0]) or _looks_like_rail_header(blocks, index):
            return blocks[:index]
    return blocks


def _looks_like_rail_header(blocks: list[list[str]], index: int) -> bool:
    following = blocks[index + 1] if index + 1 < len(blocks) else []
    return len(blocks[index]) == 1 and bool(following) and bool(BULLET.match(following[0]))


def _split_credit(blocks: list[list[str]]) -> tuple[ParsedCredit | None, list[list[str]]]:
    if not blocks or len(blocks[0]) != 1:
        return None, blocks
    first = blocks[0][0]
    if CREDIT_LINE.match(first) and len(first) <= 80 and not SENTENCE_END.search(first):
        # Form A: the credit alone, then a one-sentence caption when more text follows it.
        caption = ""
        rest = blocks[1:]
        if len(rest) > 1 and len(rest[0]) == 1 and _is_one_sentence(rest[0][0]):
            caption = rest[0][0]
            rest = rest[1:]
        return ParsedCredit(first, split_credit_names(first), caption=caption), rest
    match = CAPTION_WITH_CREDIT.match(first)
    if match and CREDIT_LINE.match(match["credit"].strip()):
        credit_line = match["credit"].strip()
        credit = ParsedCredit(
            credit_line,
            split_credit_names(credit_line),
            caption=match["caption"].strip(),
            place=(match["place"] or "").strip(),
        )
        return credit, blocks[1:]
    return None, blocks


def _is_one_sentence(text: str) -> bool:
    ends = SENTENCE_END.findall(text)
    return len(text) <= 250 and len(ends) == 1 and bool(SENTENCE_END.search(text[-3:]))


def _parse_rails(blocks: list[list[str]]) -> tuple[str, tuple[ParsedRail, ...]]:
    """Read the rails after the article, each once, and the section a rail header names."""
    section = ""
    rails: dict[str, list[ParsedRailItem]] = {}
    current: list[ParsedRailItem] | None = None
    pending_rank = False
    for block in blocks:
        for line in block:
            bullet = BULLET.match(line)
            if bullet:
                if current is None:
                    continue
                text = bullet["text"].strip()
                pending_rank = text.isdigit()
                if text and not pending_rank:
                    _add_item(current, ParsedRailItem(text))
                continue
            if current is not None and pending_rank:
                _add_item(current, ParsedRailItem(line))
                pending_rank = False
                continue
            if current is not None and current and _is_section_label(line, block):
                last = current[-1]
                if not last.section_label:
                    current[-1] = ParsedRailItem(last.headline, line)
                continue
            if WIDGET.match(line):
                current = None
                continue
            header = RAIL_HEADER.match(line)
            if header:
                name = header["name"].strip()
                label = (header["label"] or "").strip()
                if label and label.lower() != name.split()[0].lower() and not section:
                    section = label.title()
                current = rails.setdefault(name, [])
    return section, tuple(ParsedRail(name, tuple(items)) for name, items in rails.items() if items)


def _is_section_label(line: str, block: list[str]) -> bool:
    # Ranked rails print the section in capitals in its own block under the headline.
    return len(block) == 1 and line.isupper() and len(line) <= 40


def _add_item(items: list[ParsedRailItem], item: ParsedRailItem) -> None:
    if all(existing.headline != item.headline for existing in items):
        items.append(item)
