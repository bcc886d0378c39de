"""Turn the raw text of a scraped news page into a ParsedPage.

The scraped pages hold the whole page as text: navigation, the article, comment widgets and the
same rails of related stories printed more than once. This module keeps the article and each rail
once, and drops the rest. It touches no database, so it can be tested and reused on its own.
Every step is linear in the page: no line is compared with all the others.

The layout it reads, top to bottom::

    URL: https://...                                                       <- optional identity
    Quick access to main page (top) Direct access to main contents ...   <- navigation, dropped
    Headline
    Daniel Kim Views 1,234                                                 <- byline and views
    Reuters-Yonhap  /  Photo by Kim Min-jun / Yonhap  /  Courtesy of JYP   <- credit, form A
    Caption, one or more sentences.                                        <-   and its caption
      or
    Caption sentence. Kazan (Russia) / Reuters                             <- credit, form B
    Body paragraphs, separated by blank lines
    Daniel Kim                                                             <- sign-off: names,
    content@example.com                                                    <-   emails if given
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

from articles.text import strip_control_characters

MAX_HEADLINE_CHARS = 300
# A photo's caption is a short text under it; a longer block after a credit line is the story.
MAX_CAPTION_CHARS = 400
# Lines longer than these are never a byline, credit or sign-off, so no pattern has to read them.
MAX_BYLINE_CHARS = 400
MAX_CREDIT_CHARS = 160
MAX_FIGURE_LINE_CHARS = 1000

AGENCY = "agency"
PHOTOGRAPHER = "photographer"

NAVIGATION_MARKERS = ("Quick access to main page", "Direct access to main contents")
SOURCE_LINE = re.compile(r"^(?:URL|Source):\s*(?P<url>https?://\S+)\s*$", re.IGNORECASE)
BYLINE = re.compile(r"^(?P<names>\S.*?)\s+Views\b\s*(?P<views>[\d,]*)\s*$")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
WIDGET = re.compile(r"^(?:Comments\s*\d*|\d+|Share it on\.*|Views)$", re.IGNORECASE)
RAIL_HEADER = re.compile(r"^(?:\[(?P<label>[^\]]+)\]\s*)?(?P<name>\S.*)$")
BULLETS = "•·*"
BULLET = re.compile(r"^\s*[•·*]\s*(?P<text>.*)$")
# What a credit may start with, and whom it names: "Photo by Kim Min-jun", "Courtesy of JYP".
CREDIT_PREFIX = re.compile(
    r"^(?:(?P<photographer>photos?\s+by|photos?\s*:|photographed\s+by)"
    r"|(?:courtesy\s+of|courtesy\s*:|provided\s+by|handout\s+from|handout\s*:))\s*",
    re.IGNORECASE,
)
AGENCY_PHOTO = re.compile(r"^(?P<agency>.+?)\s+Photos?$")
# Lower-case words that belong inside a name: "Ludwig van Beethoven", "Ana de la Cruz".
NAME_PARTICLES = frozenset(
    "van von de der den del della di da das dos du la le ter ten bin binti al el y e zu".split()
)
NAME_WORD = re.compile(r"^[\w.&'’()]+(?:-[\w.&'’()]+)*$")
# "Caption sentence(s). Place / Agency": the place is optional ("Caption. / Reuters").
CAPTION_WITH_CREDIT = re.compile(
    r"^(?P<caption>.*[.!?”\"’])\s+(?:(?P<place>[^/]{1,80}?)\s*)?/\s*(?P<credit>[^/]{1,80}(?:/[^/]{1,80})?)$"
)
# How a news caption's first sentence ends: with when the photo was taken ("...in Seoul on
# November 14.", "...on Monday.", "...on Nov. 14, 2024.", "...in 2019."), as agencies write them.
MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
CAPTION_DATE = re.compile(
    r"^[^.!?]*?\b(?:on|in|at|during)\s+(?:the\s+)?(?:"
    r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day(?:,\s*" + MONTH + r"\s+\d{1,2})?"
    r"|" + MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?"
    r"|\d{1,2}\s+" + MONTH + r"|\d{4}-\d{2}-\d{2}"
    r"|(?:early|late|mid-)?\s*\d{4}"
    r"|(?:last|this)\s+(?:week|weekend|month|year)"
    r")(?:,?\s+\d{4})?\s*[.!?][”\"’)]?(?:\s|$)"
)
# Words of a report, which a lede has and a photo's description does not.
REPORTING = re.compile(
    r"\b(?:according to|said|says|told|reported|reports|announced|stated|confirmed)\b",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"[.!?…][”\"’)]?$")
NAME_SEPARATORS = re.compile(r"\s*(?:,|;|\s&\s|\band\b)\s*")


class PageError(ValueError):
    """The page cannot be imported; the message says what is missing or wrong."""


@dataclass(frozen=True)
class CreditName:
    name: str
    kind: str = AGENCY  # AGENCY or PHOTOGRAPHER


@dataclass(frozen=True)
class ParsedCredit:
    credit_line: str
    sources: tuple[CreditName, ...]
    caption: str = ""
    place: str = ""

    @property
    def photographers(self) -> tuple[str, ...]:
        return tuple(source.name for source in self.sources if source.kind == PHOTOGRAPHER)


@dataclass(frozen=True)
class Signoff:
    name: str
    email: str = ""


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
    signoff: tuple[Signoff, ...] = ()
    rails: tuple[ParsedRail, ...] = field(default_factory=tuple)
    view_count: int | None = None
    source_url: str = ""
    # Things an editor should check; the page imports all the same.
    warnings: tuple[str, ...] = ()

    def email_of(self, author: str) -> str:
        """The email the sign-off gives ``author`` (a byline name), or ""."""
        wanted = _name_key(author)
        for entry in self.signoff:
            if _name_key(entry.name) == wanted and entry.email:
                return entry.email
        named = [entry for entry in self.signoff if entry.name]
        if len(self.byline) == 1 and len(named) == 1 and named[0].email:
            return named[0].email  # one author, one sign-off: the same person
        unnamed = [entry.email for entry in self.signoff if not entry.name and entry.email]
        return unnamed[0] if unnamed else ""


def parse_article_page(text: str) -> ParsedPage:
    """Parse the text of one scraped page; raise PageError when it is not an article page."""
    lines = _clean_lines(text)
    warnings: list[str] = []
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
    headline = lines[position].strip()
    if len(headline) > MAX_HEADLINE_CHARS:
        raise PageError(
            f"the headline is too long: {len(headline):,} characters, at most "
            f"{MAX_HEADLINE_CHARS} ({headline[:60]}…)"
        )
    if BYLINE.match(headline):
        raise PageError("no headline: the first line of the page is a byline")
    position = _skip_blank(lines, position + 1)

    byline_line = lines[position] if position < len(lines) else ""
    byline_match = BYLINE.match(byline_line) if len(byline_line) <= MAX_BYLINE_CHARS else None
    if not byline_match:
        raise PageError("no byline: expected a line like 'Author Name Views' after the headline")
    byline = tuple(
        dict.fromkeys(name for name in NAME_SEPARATORS.split(byline_match["names"]) if name)
    )
    views = byline_match["views"].replace(",", "")
    view_count = int(views) if views else None

    blocks = _blocks(lines, position + 1)
    article_blocks, signoff, trailing = _split_article(blocks, byline)
    credit, paragraphs = _split_credit(article_blocks)
    if not paragraphs:
        raise PageError("no body: found no article paragraphs after the byline")
    body = tuple(" ".join(block) for block in paragraphs)
    if not signoff and not trailing and not SENTENCE_END.search(body[-1]):
        warnings.append(
            f"the page seems cut off: no sign-off, and the story ends mid-sentence "
            f"(“…{body[-1][-60:]}”); check the end of the story"
        )
    section, rails = _parse_rails(trailing)
    return ParsedPage(
        headline=headline,
        byline=byline,
        paragraphs=body,
        credit=credit,
        section=section,
        signoff=signoff,
        rails=rails,
        view_count=view_count,
        source_url=source_url,
        warnings=tuple(warnings),
    )


def parse_credit_line(line: str) -> tuple[CreditName, ...] | None:
    """The agencies and photographers a credit line names, or None if it is not a credit line.

    "Reuters-Yonhap" -> agencies Reuters, Yonhap; "Photo by Kim Min-jun / Yonhap" -> photographer
    Kim Min-jun, agency Yonhap; "Courtesy of JYP Entertainment" -> agency JYP Entertainment.
    A hyphen separates names only in a part without spaces ("Reuters-Yonhap"), so "Kim Min-ji"
    stays whole; slashes, commas and "and" always separate.
    """
    line = line.strip()
    if not line or len(line) > MAX_CREDIT_CHARS or SENTENCE_END.search(line):
        return None
    names: list[CreditName] = []
    after_agency_photo = False
    for part in re.split(r"\s*/\s*", line):
        prefix = CREDIT_PREFIX.match(part)
        kind = PHOTOGRAPHER if (prefix and prefix["photographer"]) or after_agency_photo else AGENCY
        part = part[prefix.end() :] if prefix else part
        # "AP Photo/Ahn Young-joon": the agency, then its photographer.
        agency_photo = AGENCY_PHOTO.match(part)
        after_agency_photo = bool(agency_photo)
        part = agency_photo["agency"] if agency_photo else part
        for name in NAME_SEPARATORS.split(part):
            pieces = name.split("-") if " " not in name.strip() else [name]
            for piece in (piece.strip() for piece in pieces):
                if not _is_name(piece):
                    return None
                names.append(CreditName(piece, kind))
    return tuple(dict.fromkeys(names)) or None


def _is_name(text: str) -> bool:
    """A proper name: up to six words, each capitalised (or in a script without capitals),
    a lower-case particle ("van", "de la") or a number; never a sentence."""
    words = text.split()
    if not 1 <= len(words) <= 6:
        return False
    for index, word in enumerate(words):
        if not NAME_WORD.match(word):
            return False
        first = word.lstrip("(")[:1]
        if word in NAME_PARTICLES and index < len(words) - 1:
            continue
        if not first or first.islower():
            return False
    return True


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _clean_lines(text: str) -> list[str]:
    # Scrapes keep HTML's non-breaking spaces, sometimes as a bare "&nbsp" entity.
    text = strip_control_characters(text)
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
        line = line.strip()
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _split_article(
    blocks: list[list[str]], byline: tuple[str, ...]
) -> tuple[list[list[str]], tuple[Signoff, ...], list[list[str]]]:
    """The article's blocks, its sign-off, and what follows (widgets and rails).

    A sign-off with an email is found wherever it is (consecutive sign-off blocks are one
    sign-off: one per author); without an email, it is the article's last block when it names
    the byline's authors, which is what the page prints under every story.
    """
    on_byline = {_name_key(name) for name in byline}
    for index, block in enumerate(blocks):
        if not any("@" in line for line in block):
            continue  # no address: not this kind of sign-off (and most blocks are paragraphs)
        signoff = _signoff(block, on_byline)
        if any(entry.email for entry in signoff) and any(entry.name for entry in signoff):
            end = index + 1
            # The next authors' blocks, each with its address ("Comments0" is no author).
            while end < len(blocks) and any(e.email for e in _signoff(blocks[end], on_byline)):
                signoff += _signoff(blocks[end], on_byline)
                end += 1
            return blocks[:index], signoff, blocks[end:]
    article = _until_clutter(blocks)
    trailing = blocks[len(article) :]
    if len(article) > 1:
        names = _signoff(article[-1], on_byline)
        if names and all(_name_key(entry.name) in on_byline for entry in names):
            return article[:-1], names, trailing
    return article, (), trailing


def _signoff(block: list[str], on_byline: set[str]) -> tuple[Signoff, ...]:
    """The names and emails of a sign-off block, paired in order, or () if it is not one.

    "Jane Roe / jane@x.org", "Jane Roe jane@x.org", "Jane Roe and Kim Min-jun / jane@x.org /
    kim@x.org" and one desk address under several names all pair each author with the address
    the page gives them.
    """
    if len(block) > 8 or any(len(line) > 200 for line in block):
        return ()
    entries: list[Signoff] = []
    names: list[str] = []  # names whose addresses are on other lines
    emails: list[str] = []
    for line in block:
        found = EMAIL.findall(line)
        rest = EMAIL.sub(" ", line).strip(" ,;/<>()[]:-–—")
        named = [name for name in NAME_SEPARATORS.split(rest) if name] if rest else []
        if any(not (_is_name(name) or _name_key(name) in on_byline) for name in named):
            return ()
        if named and found and len(named) == len(found):
            entries += [Signoff(*pair) for pair in zip(named, found, strict=True)]
        else:
            names += named
            emails += found
    if len(emails) == 1:
        entries += [Signoff(name, emails[0]) for name in names] or [Signoff("", emails[0])]
    else:
        entries += [Signoff(name, email) for name, email in zip(names, emails, strict=False)]
        entries += [Signoff(name) for name in names[len(emails) :]]
        entries += [Signoff("", email) for email in emails[len(names) :]]
    return tuple(entries)


def _until_clutter(blocks: list[list[str]]) -> list[list[str]]:
    for index, block in enumerate(blocks):
        if WIDGET.match(block[0]) or _looks_like_rail_header(blocks, index):
            return blocks[:index]
    return blocks


def _looks_like_rail_header(blocks: list[list[str]], index: int) -> bool:
    following = blocks[index + 1] if index + 1 < len(blocks) else []
    return len(blocks[index]) == 1 and bool(following) and bool(BULLET.match(following[0]))


def _split_credit(blocks: list[list[str]]) -> tuple[ParsedCredit | None, list[list[str]]]:
    if not blocks or len(blocks[0]) != 1 or len(blocks[0][0]) > MAX_FIGURE_LINE_CHARS:
        return None, blocks
    first = blocks[0][0]
    sources = parse_credit_line(first)
    if sources:
        # Form A: the credit alone on its line, then the caption if the photo has one. A
        # caption is told from the story's lede by its form, not by how many sentences it has:
        # its first sentence describes the photo and ends with when it was taken ("...in Seoul
        # on November 14."), without a report's words ("said", "according to"); it is short;
        # and the story goes on after it (a page's only paragraph is always the story).
        rest = blocks[1:]
        caption = ""
        if len(rest) > 1 and _is_caption(rest[0]):
            caption = rest[0][0]
            rest = rest[1:]
        return ParsedCredit(first, sources, caption=caption), rest
    match = CAPTION_WITH_CREDIT.match(first)
    if match:
        place = (match["place"] or "").strip()
        credit_line = match["credit"].strip()
        if place and CREDIT_PREFIX.match(place):
            # "Caption. Photo by Kim Min-jun / Yonhap": no place, a photographer and an agency.
            credit_line, place = f"{place} / {credit_line}", ""
        sources = parse_credit_line(credit_line)
        if sources:
            credit = ParsedCredit(
                credit_line, sources, caption=match["caption"].strip(), place=place
            )
            return credit, blocks[1:]
    return None, blocks


def _is_caption(block: list[str]) -> bool:
    if len(block) != 1 or len(block[0]) > MAX_CAPTION_CHARS:
        return False
    dated = CAPTION_DATE.match(block[0])
    return bool(dated) and not REPORTING.search(dated.group())


def _parse_rails(blocks: list[list[str]]) -> tuple[str, tuple[ParsedRail, ...]]:
    """Read the rails after the article, each once, and the section a rail header names."""
    section = ""
    rails: dict[str, dict[str, ParsedRailItem]] = {}
    current: dict[str, ParsedRailItem] | None = None
    last_headline = ""
    pending_rank = False
    for block in blocks:
        for line in block:
            # Block lines are stripped: a bullet is its first character (a cheap test first,
            # since most lines of a page are rail lines).
            bullet = BULLET.match(line) if line[0] in BULLETS else None
            if bullet:
                if current is None:
                    continue
                text = bullet["text"].strip()
                pending_rank = text.isdigit()
                if text and not pending_rank:
                    last_headline = _add_item(current, text)
                continue
            if current is not None and pending_rank:
                last_headline = _add_item(current, line)
                pending_rank = False
                continue
            if current is not None and last_headline and _is_section_label(line, block):
                item = current[last_headline]
                if not item.section_label:
                    current[last_headline] = ParsedRailItem(item.headline, line)
                continue
            if WIDGET.match(line):
                current, last_headline = None, ""
                continue
            header = RAIL_HEADER.match(line)
            if header:
                name = header["name"].strip()
                label = (header["label"] or "").strip()
                if label and label.lower() != name.split()[0].lower() and not section:
                    section = label.title()
                current, last_headline = rails.setdefault(name, {}), ""
    return section, tuple(
        ParsedRail(name, tuple(items.values())) for name, items in rails.items() if items
    )


def _is_section_label(line: str, block: list[str]) -> bool:
    # Ranked rails print the section in capitals in its own block under the headline.
    return len(block) == 1 and line.isupper() and len(line) <= 40


def _add_item(items: dict[str, ParsedRailItem], headline: str) -> str:
    """Add a rail headline once (a dict keeps the page's order); return the key it is under."""
    if headline not in items:
        items[headline] = ParsedRailItem(headline)
    return headline
