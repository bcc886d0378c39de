"""A reproducible synthetic newsroom at scale, written with bulk_create.

Sections, authors, tags, image credits, articles with bylines and tags, and rails of related
stories, all derived from one random seed (text from ``tests.pages``), so two builds with the
same sizes and seed hold the same rows. Django must be set up before ``build`` is called.

Writes bypass model signals on purpose (nothing is cached yet in a fresh database); article
bodies are built from escaped text, so they are already what the sanitizer would store.
"""

from __future__ import annotations

import datetime as dt
import html
import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from tests.pages import build_pages

FIRST_NAMES = (
    "Ada Ali Ana Ben Chen Dae Eli Eva Farah Gil Hana Ian Ines Jae Joon Kai Lena Liam Maya "
    "Min Nia Noah Omar Pia Ravi Rosa Sam Sofia Tae Uma Vera Wen Yara Yuki Zoe Ivan Leo Mira "
    "Nadia Paulo"
).split()
LAST_NAMES = (
    "Kim Park Lee Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song Ryu "
    "Hong Silva Novak Haddad Okafor Rossi Tanaka Berg Costa Dubois Moreau"
).split()
TAG_PLACES = (
    "Seoul Busan Tokyo Osaka Beijing Shanghai Moscow Kazan Washington Brussels Berlin Paris "
    "London Delhi Jakarta Hanoi Manila Sydney Toronto Mexico"
).split()
TAG_TOPICS = (
    "Elections Trade Tariffs Housing Chips Batteries Shipping Energy Climate Health Schools "
    "Courts Police Transit Tourism Football Baseball Film Music Fashion Startups Banking "
    "Pensions Defence Diplomacy"
).split()
RAILS = (
    ("Related Stories", 4),
    ("Latest Stories", 6),
    ("You May Also Like", 5),
    ("Popular Now", 5),
)
BATCH = 2000


@dataclass(frozen=True)
class Sizes:
    articles: int = 10_000
    authors: int = 200
    sections: int = 10
    tags: int = 500
    seed: int = 0


def progress(label: str, items: Iterable, total: int) -> Iterator:
    """Yield ``items`` while drawing a progress bar on stderr."""
    started = time.perf_counter()
    width = 30
    done = 0
    step = max(1, total // 100)
    for item in items:
        yield item
        done += 1
        if done % step == 0 or done == total:
            filled = int(width * done / max(total, 1))
            elapsed = time.perf_counter() - started
            sys.stderr.write(
                f"\r  {label:<16} [{'#' * filled}{'.' * (width - filled)}] "
                f"{done:>7}/{total} {elapsed:5.1f}s"
            )
            sys.stderr.flush()
    sys.stderr.write("\n")


def _batches(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _bulk(label: str, model, rows: list) -> list:
    created = []
    for batch in progress(label, list(_batches(rows)), (len(rows) + BATCH - 1) // BATCH):
        created += model.objects.bulk_create(batch)
    return created


def _names(rng: random.Random, count: int, first: tuple | list, second: tuple | list) -> list[str]:
    combos = [f"{a} {b}" for a in first for b in second]
    if count > len(combos):
        raise ValueError(f"at most {len(combos)} distinct names")
    return rng.sample(combos, count)


def build(sizes: Sizes = Sizes()) -> dict:
    """Fill an empty database with the synthetic newsroom; return what was made."""
    from django.db import transaction
    from django.utils import timezone
    from django.utils.text import slugify
    from taggit.models import Tag, TaggedItem

    from articles.models import Article, Author, Byline, ImageCredit, RelatedStory, Section

    if Article.objects.exists():
        raise RuntimeError("the synthetic newsroom needs an empty database")
    rng = random.Random(sizes.seed)
    started = time.perf_counter()
    pages = build_pages(sizes.articles, seed=sizes.seed, artifact_rate=0)
    now = timezone.now().replace(microsecond=0)

    with transaction.atomic():
        section_names = [name.title() for name in dict.fromkeys(p.section for p in pages)]
        section_names = (section_names + [f"Desk {n}" for n in range(sizes.sections)])[
            : sizes.sections
        ]
        sections = _bulk(
            "sections",
            Section,
            [
                Section(name=name, slug=slugify(name), position=index)
                for index, name in enumerate(section_names)
            ],
        )
        authors = _bulk(
            "authors",
            Author,
            [
                Author(
                    name=name,
                    slug=slugify(name),
                    email=f"{slugify(name)}@news.example",
                    bio=f"{name} reports for the newsroom.",
                )
                for name in _names(rng, sizes.authors, FIRST_NAMES, LAST_NAMES)
            ],
        )
        tags = _bulk(
            "tags",
            Tag,
            [
                Tag(name=name, slug=slugify(name))
                for name in _names(rng, sizes.tags, TAG_PLACES, TAG_TOPICS)
            ],
        )
        credits = _bulk(
            "image credits",
            ImageCredit,
            [_credit(page.credit) for page in pages if page.credit],
        )

        credit_iter = iter(credits)
        articles = []
        for index, page in enumerate(pages):
            # Newest first, one story every 20 minutes back from now; a few are editor's picks.
            published_at = now - dt.timedelta(minutes=20 * (index + 1))
            articles.append(
                Article(
                    headline=page.headline,
                    slug=slugify(page.headline)[:280] + f"-{index}",
                    dek=page.paragraphs[0][:300],
                    body="".join(f"<p>{html.escape(p, quote=False)}</p>" for p in page.paragraphs),
                    section=sections[index % len(sections)],
                    lead_image=next(credit_iter) if page.credit else None,
                    status=Article.Status.PUBLISHED,
                    published_at=published_at,
                    created_at=published_at,
                    view_count=rng.randint(0, 50_000),
                    editors_pick=rng.random() < 0.02,
                )
            )
        articles = _bulk("articles", Article, articles)

        bylines = []
        tagged = []
        from django.contrib.contenttypes.models import ContentType

        article_type = ContentType.objects.get_for_model(Article)
        for article in articles:
            for position, author in enumerate(rng.sample(authors, rng.choice((1, 1, 1, 2, 3)))):
                bylines.append(Byline(article=article, author=author, position=position))
            for tag in rng.sample(tags, rng.randint(2, 6)):
                tagged.append(TaggedItem(tag=tag, content_type=article_type, object_id=article.pk))
        _bulk("bylines", Byline, bylines)
        _bulk("tagged items", TaggedItem, tagged)

        by_section: dict[int, list] = {}
        for article in articles:
            by_section.setdefault(article.section_id, []).append(article)
        stories = []
        for index, article in enumerate(articles):
            same_section = by_section[article.section_id]
            for rail, count in RAILS:
                if rail == "Latest Stories":
                    pool = same_section[:12]
                elif rail == "Related Stories":
                    pool = same_section
                else:
                    pool = articles
                picks = [a for a in rng.sample(pool, min(len(pool), count + 1)) if a != article]
                for position, target in enumerate(picks[:count]):
                    if rail == "Popular Now" and position == count - 1:
                        # One entry per page names a story the desk does not have.
                        stories.append(
                            RelatedStory(
                                article=article,
                                rail=rail,
                                position=position,
                                headline=f"Elsewhere: {pages[(index + 7) % len(pages)].headline}",
                                section_label="LIFESTYLE",
                            )
                        )
                    else:
                        stories.append(
                            RelatedStory(
                                article=article, rail=rail, position=position, target=target
                            )
                        )
        _bulk("related stories", RelatedStory, stories)

    return {
        **asdict(sizes),
        "image_credits": len(credits),
        "bylines": len(bylines),
        "tagged_items": len(tagged),
        "related_stories": len(stories),
        "build_seconds": round(time.perf_counter() - started, 1),
    }


def _credit(text: str):
    from articles.models import ImageCredit

    caption, _, credit = text.rpartition(". ")
    if " / " in credit:
        place, _, agency = credit.partition(" / ")
        return ImageCredit(caption=caption + ".", place=place, credit_line=agency)
    return ImageCredit(credit_line=text)
