"""Synthetic scraped article pages, in the same plain-text layout as the real scrapes.

A page reads, top to bottom: the site's accessibility nav line, the headline,
the byline ("Name Views " plus a no-break space), an optional photo credit
(an agency alone, or "Caption. Place (Country) / Agency"), body paragraphs, the
sign-off (name, then desk e-mail), the comment counters, the section's
"Latest Stories" rail and the numbered "You May Also Like", "Popular Now",
"Must-Reads" and repeated "Popular Now" rails, then "Share it on...". Blocks are
separated by blank lines and the file has no final newline.

Rail entries point at other pages of the same batch, so an importer that links
related stories finds real targets. A small share of pages carries the
artefacts seen in real scrapes: "&nbsp" left as text in the first "Popular Now"
rail and a file cut off in the middle of the last rail.

``variants`` adds the page variants real archives hold, each on its share of the pages (page
``i`` gets ``variants[i % len(variants)]``), every variant page with its own ``URL:`` line:

- ``duplicate_headline``: the previous page's headline on a different page (another URL);
- ``non_latin``: a Korean, Russian or punctuation-only ("!!!") headline, and a byline in
  Hangul or Cyrillic;
- ``photographer_credit``: "Photo by Kim Min-jun / Yonhap", "Courtesy of JYP Entertainment",
  "Photo by Ana de la Cruz / AFP";
- ``multi_sentence_caption``: "Getty Images" alone, then a caption of two sentences;
- ``signoff_without_email``: the author's name closes the story, with no address;
- ``two_author_signoff``: two authors on the byline, each with an address in the sign-off.

All people, companies and events are invented; output depends only on the
arguments.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

NBSP = "\u00a0"
BULLET = "\u2022"
NAV_LINE = (
    "Quick access to main page (top) Direct access to main contents "
    "Quick access to main page (bottom)"
)
DESK_EMAIL = "content@example.com"
COMMENT_COUNTER = "Comments0"
SHARE_LINE = "Share it on..."
LATEST_STORIES_COUNT = 6
NUMBERED_RAIL_COUNT = 5
DEFAULT_ARTIFACT_RATE = 0.1
MIN_PARAGRAPHS = 4
MAX_PARAGRAPHS = 10
# Extra headlines that only appear in rails, for batches too small to fill the
# rails from their own pages.
FILLER_HEADLINES = 2 * NUMBERED_RAIL_COUNT + LATEST_STORIES_COUNT

SECTIONS = (
    "WORLD",
    "POLITICS",
    "ECONOMY",
    "BUSINESS",
    "TECH",
    "AUTO",
    "HEALTH",
    "LIFESTYLE",
    "ENTERTAINMENT",
    "SPORTS",
)
AUTHORS = (
    "Daniel Kim",
    "Soo-ah Lee",
    "Minji Park",
    "James Choi",
    "Hana Yoon",
    "Eric Jang",
    "Yuna Seo",
    "Kevin Oh",
    "Grace Han",
    "Jun-ho Lim",
    "Sarah Kwon",
    "Tae-yang Moon",
)
AGENCY_CREDITS = ("Reuters-Yonhap", "AP-Yonhap", "AFP-Yonhap", "EPA-Yonhap")
CAPTION_AGENCIES = ("Reuters", "AP", "AFP", "EPA", "Yonhap", "News1")
PLACES = (
    ("Kazan", "Russia"),
    ("Seoul", "South Korea"),
    ("Busan", "South Korea"),
    ("Tokyo", "Japan"),
    ("Osaka", "Japan"),
    ("Beijing", "China"),
    ("Shanghai", "China"),
    ("Ottawa", "Canada"),
    ("Toronto", "Canada"),
    ("Berlin", "Germany"),
    ("Munich", "Germany"),
    ("Paris", "France"),
    ("Geneva", "Switzerland"),
    ("Hanoi", "Vietnam"),
    ("Jakarta", "Indonesia"),
    ("Doha", "Qatar"),
)
PEOPLE = (
    ("Elena Varga", "the foreign minister"),
    ("Marcus Hale", "the central bank governor"),
    ("Ji-woo Baek", "the trade minister"),
    ("Oren Castell", "the company's chief executive"),
    ("Ingrid Solberg", "the health commissioner"),
    ("Rafael Mendes", "the defence minister"),
    ("Aiko Tanabe", "the chief economist"),
    ("Viktor Lanski", "the Kremlin spokesman"),
    ("Priya Raman", "the head of research"),
    ("Tomas Ferreira", "the league commissioner"),
)
COMPANIES = (
    "Northwind Motors",
    "Daehan Electronics",
    "Meridian Bank",
    "Solace Pharma",
    "Kestrel Air",
    "Bluepeak Energy",
)
INSTITUTIONS = (
    "The Finance Ministry",
    "The Trade Commission",
    "The Health Institute",
    "The Statistics Office",
)
SOURCES = (
    "the state news agency",
    "local broadcasters",
    "a ministry statement",
    "people familiar with the matter",
    "a regulatory filing",
    "industry data",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# Singular subjects, so they agree with the verbs below.
HEADLINE_SUBJECTS = (
    *COMPANIES,
    "Seoul",
    "Tokyo",
    "Beijing",
    "The Kremlin",
    "Brussels",
    "Washington",
    "The Central Bank",
    "The Trade Ministry",
    "The Health Ministry",
    "The Football League",
    "The City Council",
    "A Top Chipmaker",
    "A Leading Automaker",
    "A K-Pop Label",
    "The Largest Pension Fund",
    "A Budget Airline",
    "A Major Shipbuilder",
    "A Streaming Giant",
    "The Stock Exchange",
    "A Battery Maker",
    "A Grocery Chain",
    "The Weather Agency",
    "The Space Agency",
    "A Ride-Hailing App",
)
HEADLINE_VERBS = (
    "Unveils",
    "Rejects",
    "Weighs",
    "Slashes",
    "Doubles Down on",
    "Warns of",
    "Bets Big on",
    "Pulls Out of",
    "Quietly Expands",
    "Races to Finish",
    "Signs",
    "Scraps",
    "Delays",
    "Rethinks",
    "Backs",
    "Fast-Tracks",
    "Won\u2019t Rule Out",
    "Confirms",
    "Probes",
    "Eyes",
)
HEADLINE_OBJECTS = (
    "a New Tariff Plan",
    "a Surprise Summit",
    "a $4 Billion Battery Deal",
    "Record Quarterly Profits",
    "Chip Export Rules",
    "a Hydrogen Truck Line",
    "Four-Day Work Weeks",
    "an Obesity Drug Trial",
    "Satellite Internet Plans",
    "a Baltic Patrol Mission",
    "Rate Cuts",
    "a Merger With a Rival",
    "Self-Driving Taxis",
    "a Concert Stadium Project",
    "Its Flagship EV",
    "a Dementia Screening Program",
    "New Visa Rules",
    "a Solar Farm Expansion",
    "Price Caps on Rice",
    "a Stadium Naming Deal",
    "Drone Delivery Trials",
    "an Antitrust Settlement",
    "a Semiconductor Plant",
    "a Ban on Disposable Vapes",
    "a Housing Subsidy",
    "Its Biggest Recall Yet",
    "an AI Chip Partnership",
    "a Pension Overhaul",
    "Weekend Flight Cuts",
    "a Cross-Border Rail Link",
)
HEADLINE_TAILS = (
    "",
    "",
    "",
    " Amid Rising Tensions",
    " After Record Losses",
    " as Talks Stall",
    " Ahead of Elections",
    ": What It Means for You",
    " \u2014 and That\u2019s Not the End of It",
    ", Report Says",
    ", Officials Confirm",
    " Despite Backlash",
    " in a Surprising Twist",
    " as Demand Surges",
    " After Months of Delay",
    ": Experts Weigh In",
)

CAPTION_ACTIONS = (
    "speaks at a press conference",
    "arrives for talks",
    "attends a signing ceremony",
    "tours a factory",
    "addresses reporters",
    "meets delegates",
)
DEVELOPMENTS = (
    "a sharp drop in exports",
    "weeks of stalled negotiations",
    "a string of supply disruptions",
    "an unexpected jump in consumer prices",
    "mounting pressure from shareholders",
    "a court ruling on the matter",
    "a surge in online orders",
    "new data on hospital admissions",
)
EFFECTS = (
    "lift prices",
    "cut costs",
    "slow hiring",
    "reshape the market",
    "ease the shortage",
    "widen the gap",
)
QUOTES = (
    "We are not going to rush this decision",
    "The numbers speak for themselves",
    "This is only the first step",
    "Nothing has been agreed until everything is agreed",
    "We expect the impact to be limited",
    "Consumers will notice the difference quickly",
)


@dataclass(frozen=True)
class RailItem:
    headline: str
    label: str  # section shown under the headline, e.g. "LIFESTYLE"


VARIANTS = (
    "duplicate_headline",
    "non_latin",
    "photographer_credit",
    "multi_sentence_caption",
    "signoff_without_email",
    "two_author_signoff",
)
NON_LATIN_HEADLINES = (
    "북한, 동해상으로 탄도미사일 발사",
    "Россия и КНДР подписали новое соглашение",
    "!!!",
    "서울 아파트값 상승세 둔화",
    "Правительство одобрило бюджет на следующий год",
    "???",
)
NON_LATIN_AUTHORS = ("김민준", "Иван Петров", "이서연", "Анна Смирнова")
# (credit line as printed, photographers, agencies)
PHOTOGRAPHER_CREDITS = (
    ("Photo by Kim Min-jun / Yonhap", ("Kim Min-jun",), ("Yonhap",)),
    ("Courtesy of JYP Entertainment", (), ("JYP Entertainment",)),
    ("Photo by Ana de la Cruz / AFP", ("Ana de la Cruz",), ("AFP",)),
)
MULTI_SENTENCE_CAPTIONS = (
    "Son Heung-min celebrates after scoring against Kuwait in Kuwait City on November 14. "
    "Kim scored in the 88th minute.",
    "Delegates arrive for the climate talks in Baku on Monday. The talks run until Friday.",
)


@dataclass(frozen=True)
class PageSpec:
    filename: str
    headline: str
    author: str
    section: str
    credit: str | None
    paragraphs: tuple[str, ...]
    latest_stories: tuple[str, ...]
    also_like: tuple[RailItem, ...]  # repeated as "Must-Reads"
    popular_now: tuple[RailItem, ...]  # rendered twice, as on the real pages
    scrape_artifacts: bool
    variant: str = ""
    source_url: str = ""
    coauthor: str = ""
    caption: str = ""  # a caption block under a credit line that stands alone
    photographers: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    emails: tuple[str, ...] = (DESK_EMAIL,)  # the sign-off's addresses, one per author

    @property
    def byline(self) -> tuple[str, ...]:
        return (self.author, self.coauthor) if self.coauthor else (self.author,)


def _unique_headlines(rng: random.Random, count: int) -> list[str]:
    headlines: list[str] = []
    seen: set[str] = set()
    while len(headlines) < count:
        headline = (
            f"{rng.choice(HEADLINE_SUBJECTS)} {rng.choice(HEADLINE_VERBS)} "
            f"{rng.choice(HEADLINE_OBJECTS)}{rng.choice(HEADLINE_TAILS)}"
        )
        if headline in seen:
            # The vocabulary allows ~290,000 combinations; past that, number repeats.
            headline = f"{headline} (Part {len(headlines) + 1})"
        seen.add(headline)
        headlines.append(headline)
    return headlines


def _credit_line(rng: random.Random) -> str | None:
    kind = rng.random()
    if kind < 0.3:
        return None
    if kind < 0.55:
        return rng.choice(AGENCY_CREDITS)
    name, _role = rng.choice(PEOPLE)
    city, country = rng.choice(PLACES)
    return (
        f"{name} {rng.choice(CAPTION_ACTIONS)} in {city}, {country}, on "
        f"{rng.choice(MONTHS)} {rng.randint(1, 28)}. {city} ({country}) / "
        f"{rng.choice(CAPTION_AGENCIES)}"
    )


# Each template draws only the values it uses, which keeps generation fast.
_SENTENCE_TEMPLATES: tuple[Callable[[random.Random], str], ...] = (
    lambda rng: (
        f"According to {rng.choice(SOURCES)}, {', '.join(rng.choice(PEOPLE))}, discussed "
        f"the plan during a visit to {rng.choice(PLACES)[0]} on {rng.choice(WEEKDAYS)}."
    ),
    lambda rng: (
        f"{rng.choice(COMPANIES + INSTITUTIONS)} said the move followed {rng.choice(DEVELOPMENTS)}."
    ),
    lambda rng: (
        f"Analysts expect the decision to {rng.choice(EFFECTS)} by as much as "
        f"{rng.randint(2, 40)}% over the next {rng.randint(2, 18)} months."
    ),
    lambda rng: (
        f"\u201c{rng.choice(QUOTES)},\u201d {rng.choice(PEOPLE)[0]} told reporters in "
        f"{rng.choice(PLACES)[0]}."
    ),
    lambda rng: (
        f"Officials in {rng.choice(PLACES)[1]} did not disclose further details, but "
        f"speculation suggests the talks touched on {rng.choice(DEVELOPMENTS)}."
    ),
    lambda rng: (
        f"The announcement came just days after {rng.choice(DEVELOPMENTS)} in "
        f"{rng.choice(PLACES)[1]}."
    ),
    lambda rng: f"{rng.choice(PEOPLE)[0]}\u2019s office declined to comment on the timing.",
    lambda rng: (
        f"Shares of {rng.choice(COMPANIES)} moved {rng.choice(('up', 'down'))} "
        f"{rng.randint(1, 9)}.{rng.randint(0, 9)}% in early trading."
    ),
    lambda rng: (
        f"Experts note that such a step is uncommon and reflects {rng.choice(DEVELOPMENTS)}."
    ),
)


def _paragraphs(rng: random.Random) -> tuple[str, ...]:
    paragraphs = []
    for _ in range(rng.randint(MIN_PARAGRAPHS, MAX_PARAGRAPHS)):
        # Distinct templates within a paragraph, so no sentence repeats itself.
        templates = rng.sample(_SENTENCE_TEMPLATES, rng.randint(1, 4))
        paragraph = " ".join(template(rng) for template in templates)
        if rng.random() < 0.05:
            paragraph += NBSP  # real scrapes sometimes keep a trailing no-break space
        paragraphs.append(paragraph)
    return tuple(paragraphs)


def _rail_items(
    rng: random.Random,
    index: int,
    headlines: Sequence[str],
    sections: Sequence[str],
    fillers: Sequence[str],
    count: int,
) -> list[RailItem]:
    """Pick `count` distinct stories other than page `index`, topping up with fillers."""
    others = len(headlines) - 1
    if others <= count:
        picks = [i for i in range(len(headlines)) if i != index]
        rng.shuffle(picks)
    else:
        # Rejection sampling: cheap, since `count` is tiny next to the batch.
        picks = []
        while len(picks) < count:
            candidate = rng.randrange(len(headlines))
            if candidate != index and candidate not in picks:
                picks.append(candidate)
    items = [RailItem(headlines[i], sections[i]) for i in picks]
    items += [RailItem(headline, "LIFESTYLE") for headline in fillers[: count - len(items)]]
    return items


def build_pages(
    count: int,
    seed: int = 0,
    artifact_rate: float = DEFAULT_ARTIFACT_RATE,
    variants: Sequence[str] = (),
) -> list[PageSpec]:
    """Describe `count` pages; the same arguments always give the same pages."""
    if count < 0:
        raise ValueError("count must not be negative")
    if not 0 <= artifact_rate <= 1:
        raise ValueError("artifact_rate must be between 0 and 1")
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        raise ValueError(f"unknown variants: {', '.join(sorted(unknown))}")
    rng = random.Random(seed)
    all_headlines = _unique_headlines(rng, count + FILLER_HEADLINES)
    headlines, fillers = all_headlines[:count], all_headlines[count:]
    sections = [rng.choice(SECTIONS) for _ in range(count)]
    width = max(3, len(str(count - 1)))
    pages = []
    for index in range(count):
        rail = _rail_items(rng, index, headlines, sections, fillers, 2 * NUMBERED_RAIL_COUNT)
        latest = _rail_items(rng, index, headlines, sections, fillers, LATEST_STORIES_COUNT)
        pages.append(
            PageSpec(
                filename=f"{index:0{width}d}_{rng.getrandbits(64):016x}.txt",
                headline=headlines[index],
                author=rng.choice(AUTHORS),
                section=sections[index],
                credit=_credit_line(rng),
                paragraphs=_paragraphs(rng),
                latest_stories=tuple(item.headline for item in latest),
                also_like=tuple(rail[:NUMBERED_RAIL_COUNT]),
                popular_now=tuple(rail[NUMBERED_RAIL_COUNT:]),
                scrape_artifacts=rng.random() < artifact_rate,
            )
        )
        if variants:
            turn = index // len(variants)  # the how-many-th page of its variant
            pages[-1] = _with_variant(
                pages[-1], variants[index % len(variants)], index, turn, pages
            )
    return pages


def _with_variant(
    page: PageSpec, variant: str, index: int, turn: int, pages: list[PageSpec]
) -> PageSpec:
    """``page`` turned into ``variant``; every variant page has its own source URL."""
    changes: dict = {"variant": variant, "source_url": f"https://news.example/article/{index}"}
    if variant == "duplicate_headline" and index > 0:
        changes["headline"] = pages[index - 1].headline
    elif variant == "non_latin":
        changes["headline"] = NON_LATIN_HEADLINES[turn % len(NON_LATIN_HEADLINES)]
        changes["author"] = NON_LATIN_AUTHORS[turn % len(NON_LATIN_AUTHORS)]
    elif variant == "photographer_credit":
        line, photographers, agencies = PHOTOGRAPHER_CREDITS[turn % len(PHOTOGRAPHER_CREDITS)]
        changes.update(credit=line, photographers=photographers, agencies=agencies)
    elif variant == "multi_sentence_caption":
        caption = MULTI_SENTENCE_CAPTIONS[turn % len(MULTI_SENTENCE_CAPTIONS)]
        changes.update(credit="Getty Images", caption=caption, agencies=("Getty Images",))
    elif variant == "signoff_without_email":
        changes["emails"] = ()
    elif variant == "two_author_signoff":
        coauthor = next(name for name in AUTHORS if name != page.author)
        changes.update(
            coauthor=coauthor,
            emails=(f"reporter{index}@example.com", f"reporter{index}b@example.com"),
        )
    return replace(page, **changes)


def _numbered_rail(title: str, items: Sequence[RailItem], label_suffix: str = NBSP) -> list[str]:
    lines = [title, ""]
    for number, item in enumerate(items, start=1):
        lines += [
            f"  {BULLET} {number}",
            f"    {item.headline}",
            "",
            f"    {item.label}{label_suffix}",
            "",
        ]
    return lines


def render_page(page: PageSpec) -> str:
    lines = [f"URL: {page.source_url}"] if page.source_url else []
    lines += [NAV_LINE, "", page.headline, "", f"{' and '.join(page.byline)} Views {NBSP}", ""]
    if page.credit:
        lines += [page.credit, ""]
    if page.caption:
        lines += [page.caption, ""]
    for paragraph in page.paragraphs:
        lines += [paragraph, ""]
    if page.coauthor:
        for name, email in zip(page.byline, page.emails, strict=True):
            lines += [name, email]
    else:
        lines += [page.author, *page.emails]
    lines.append("")
    lines += [COMMENT_COUNTER, "", "300", "", COMMENT_COUNTER, ""]
    lines += [f"[{page.section}] Latest Stories", ""]
    lines += [f"  {BULLET} {headline}" for headline in page.latest_stories]
    lines.append("")
    lines += _numbered_rail("You May Also Like", page.also_like)
    lines += _numbered_rail(
        "Popular Now", page.popular_now, "&nbsp" if page.scrape_artifacts else NBSP
    )
    lines += _numbered_rail("Must-Reads", page.also_like)
    lines += _numbered_rail("Popular Now", page.popular_now)
    if page.scrape_artifacts:
        # Cut off inside the last rail label, before its no-break space.
        lines[-1:] = []
        lines[-1] = lines[-1].removesuffix(NBSP)
        return "\n".join(lines)
    lines.append(SHARE_LINE)
    return "\n".join(lines)


def write_pages(
    directory: Path | str,
    count: int,
    seed: int = 0,
    artifact_rate: float = DEFAULT_ARTIFACT_RATE,
) -> list[Path]:
    """Write `count` pages into `directory` (created if needed); return their paths."""
    pages = build_pages(count, seed, artifact_rate)  # validates before touching the disk
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for page in pages:
        path = target / page.filename
        # newline="" keeps "\n" on every platform, as in the scraped files.
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(render_page(page))
        paths.append(path)
    return paths
