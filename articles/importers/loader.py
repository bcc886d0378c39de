"""Write a ParsedPage to the database: the one multi-model write of the import.

``save_parsed_article`` resolves the section, authors, image credit and rails, then upserts the
article by a stable identity (its source URL, else its slug), so importing the same page twice
updates it and never duplicates it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Upper
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.text import slugify

from articles import caching
from articles.importers.parser import PageError, ParsedCredit, ParsedPage
from articles.models import (
    Article,
    Author,
    Byline,
    ImageCredit,
    ImageSource,
    RelatedStory,
    Section,
)
from articles.sanitize import paragraphs_to_html

CURATED_RAIL = "Related Stories"


@dataclass(frozen=True)
class Editorial:
    """What the desk decides about an imported page, beyond what the page itself says.

    ``None`` means "not decided here": a new article gets the default, an existing one keeps
    what an editor set.
    """

    status: str | None = None
    published_at: dt.datetime | None = None
    section: str = ""
    source_url: str = ""
    dek: str = ""
    tags: tuple[str, ...] | None = None
    related: tuple[str, ...] = ()
    editors_pick: bool | None = None

    def merged_over(self, defaults: Editorial) -> Editorial:
        """This page's own decisions, falling back to the run's defaults."""
        return Editorial(
            status=self.status if self.status is not None else defaults.status,
            published_at=self.published_at or defaults.published_at,
            section=self.section or defaults.section,
            source_url=self.source_url or defaults.source_url,
            dek=self.dek or defaults.dek,
            tags=self.tags if self.tags is not None else defaults.tags,
            related=self.related or defaults.related,
            editors_pick=self.editors_pick
            if self.editors_pick is not None
            else defaults.editors_pick,
        )


@dataclass
class ImportResult:
    article: Article
    created: bool
    linked: int = 0


def parse_published_at(value: str | dt.datetime | dt.date) -> dt.datetime:
    """An ISO 8601 date or date-time; a date or a naive time is read in the site's time zone."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError as error:
            raise ValueError(
                f"'{value}' is not an ISO 8601 date or date-time (e.g. 2024-11-04T09:30)"
            ) from error
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if not isinstance(value, dt.datetime):
        raise ValueError(f"'{value}' is not an ISO 8601 date or date-time (e.g. 2024-11-04T09:30)")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


SIDECAR_KEYS = {
    "status",
    "published_at",
    "section",
    "source_url",
    "dek",
    "tags",
    "related",
    "editors_pick",
}


def read_sidecar(page_path: Path) -> Editorial:
    """Editorial metadata from ``page.toml`` beside ``page.txt``, or nothing if there is none."""
    path = page_path.with_suffix(".toml")
    if not path.is_file():
        return Editorial()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
        raise PageError(f"{path.name}: not valid TOML ({error})") from error
    unknown = set(data) - SIDECAR_KEYS
    if unknown:
        raise PageError(f"{path.name}: unknown keys {', '.join(sorted(unknown))}")
    try:
        status = data.get("status")
        if status is not None and status not in Article.Status.values:
            raise ValueError(f"status must be one of {', '.join(Article.Status.values)}")
        published_at = data.get("published_at")
        tags = data.get("tags")
        related = data.get("related", [])
        if tags is not None and not _is_list_of_text(tags):
            raise ValueError("tags must be a list of strings")
        if not _is_list_of_text(related):
            raise ValueError("related must be a list of headlines")
        return Editorial(
            status=status,
            published_at=parse_published_at(published_at) if published_at else None,
            section=str(data.get("section", "")),
            source_url=str(data.get("source_url", "")),
            dek=str(data.get("dek", "")),
            tags=tuple(tags) if tags is not None else None,
            related=tuple(related),
            editors_pick=bool(data["editors_pick"]) if "editors_pick" in data else None,
        )
    except ValueError as error:
        raise PageError(f"{path.name}: {error}") from error


def _is_list_of_text(value) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


@transaction.atomic
def save_parsed_article(*, parsed: ParsedPage, editorial: Editorial = Editorial()) -> ImportResult:
    """Create or update the Article for ``parsed`` and everything it refers to."""
    source_url = parsed.source_url or editorial.source_url
    slug = slugify(parsed.headline)[:300] or "article"
    article = _find_existing(source_url=source_url, slug=slug)
    created = article is None
    if created:
        article = Article(
            slug=_unique_slug(slug),
            status=editorial.status or Article.Status.DRAFT,
            view_count=parsed.view_count or 0,
        )
    elif editorial.status is not None:
        article.status = editorial.status

    article.headline = parsed.headline
    article.body = paragraphs_to_html(parsed.paragraphs)
    article.source_url = source_url or article.source_url
    if editorial.dek:
        article.dek = editorial.dek
    if editorial.published_at or created:
        article.published_at = editorial.published_at or article.published_at
    if article.status == Article.Status.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
    if editorial.editors_pick is not None:
        article.editors_pick = editorial.editors_pick
    section_name = parsed.section or editorial.section
    if section_name:
        article.section = _section(section_name)
    article.lead_image = _save_credit(parsed.credit, existing=article.lead_image)
    article.full_clean(validate_unique=False, validate_constraints=False)
    article.save()
    if not created and parsed.view_count and parsed.view_count > article.view_count:
        # save() leaves the live count alone; raising it to the page's figure is explicit.
        Article.objects.filter(pk=article.pk, view_count__lt=parsed.view_count).update(
            view_count=parsed.view_count
        )
        article.view_count = parsed.view_count

    authors = _save_byline(article, parsed)
    # Bylines are written in bulk, which sends no model signals: take the article off the cached
    # pages of its authors' lists here (the article's own save has done the rest).
    caching.invalidate(
        [caching.article_token(article.pk)]
        + [caching.AUTHOR_LIST.format(slug=author.slug) for author in authors]
    )
    if editorial.tags is not None:
        article.tags.set(list(editorial.tags))
    linked = _save_rails(article, parsed, curated=editorial.related)
    return ImportResult(article=article, created=created, linked=linked)


def _find_existing(*, source_url: str, slug: str) -> Article | None:
    if source_url:
        found = Article.objects.filter(source_url=source_url).first()
        if found:
            return found
    return Article.objects.filter(slug=slug).first()


def _unique_slug(slug: str) -> str:
    candidate, number = slug, 2
    while Article.objects.filter(slug=candidate).exists():
        suffix = f"-{number}"
        candidate, number = f"{slug[: 300 - len(suffix)]}{suffix}", number + 1
    return candidate


def _section(name: str) -> Section:
    name = name.strip()
    section = Section.objects.filter(slug=slugify(name)).first()
    if section is None:
        section = Section(name=name, slug=slugify(name))
        section.full_clean(validate_unique=False)
        section.save()
    return section


def _author(name: str, email: str = "") -> Author:
    """The author with this name's slug; too long a name fails validation, never truncates."""
    author = Author.objects.filter(slug=slugify(name)).first() or Author(
        name=name, slug=slugify(name)
    )
    if email:
        author.email = email
    if author.pk is None or email:
        author.full_clean(validate_unique=False, validate_constraints=False)
        author.save()
    return author


def _save_byline(article: Article, parsed: ParsedPage) -> list[Author]:
    signoff_slug = slugify(parsed.signoff_name)
    authors = [
        _author(name, parsed.signoff_email if slugify(name) == signoff_slug else "")
        for name in parsed.byline
    ]
    Byline.objects.filter(article=article).delete()
    authors = list(dict.fromkeys(authors))
    Byline.objects.bulk_create(
        Byline(article=article, author=author, position=position)
        for position, author in enumerate(authors)
    )
    return authors


def _save_credit(
    credit: ParsedCredit | None, *, existing: ImageCredit | None
) -> ImageCredit | None:
    if credit is None:
        return existing if existing and existing.image else None
    image_credit = existing or ImageCredit()
    image_credit.caption = credit.caption
    image_credit.place = credit.place
    image_credit.credit_line = credit.credit_line
    image_credit.full_clean(validate_unique=False)
    image_credit.save()
    image_credit.sources.set(
        [ImageSource.objects.get_or_create(name=name)[0] for name in credit.sources]
    )
    return image_credit


Rails = list[tuple[str, list[tuple[str, str]]]]


def page_rails(parsed: ParsedPage, *, curated: tuple[str, ...]) -> Rails:
    """The rails an import writes: the desk's curated headlines first, then the page's rails."""
    rails: Rails = []
    if curated:
        rails.append((CURATED_RAIL, [(headline, "") for headline in curated]))
    rails += [
        (rail.name, [(item.headline, item.section_label) for item in rail.items])
        for rail in parsed.rails
    ]
    return rails


def new_rail_stories(rails: Rails, *, article: Article | None = None) -> list[RelatedStory]:
    """Unsaved rail entries, numbered across the whole page so that ordering by position
    keeps the rails in the page's order, each rail's stories together."""
    return [
        RelatedStory(
            article=article, rail=name, position=position, headline=headline, section_label=label
        )
        for position, (name, headline, label) in enumerate(
            (name, headline, label) for name, items in rails for headline, label in items
        )
    ]


def _save_rails(article: Article, parsed: ParsedPage, *, curated: tuple[str, ...]) -> int:
    """Replace the rails this page carries; keep rails an editor added that the page lacks."""
    rails = page_rails(parsed, curated=curated)
    RelatedStory.objects.filter(article=article, rail__in=[name for name, _ in rails]).delete()
    stories = new_rail_stories(rails, article=article)
    for story in stories:
        story.full_clean(
            exclude=["article", "target"], validate_unique=False, validate_constraints=False
        )
    RelatedStory.objects.bulk_create(stories)
    return link_related_headlines(article)


def link_related_headlines(article: Article) -> int:
    """Link headline-only rail entries to articles that now exist, in both directions.

    Headlines match ignoring case. Both sides go through the database's UPPER(), which the
    indexes on UPPER(headline) serve, so linking never scans every rail entry ever imported.
    """
    citing = RelatedStory.objects.filter(
        Exact(Upper("headline"), Upper(Value(article.headline))), target__isnull=True
    ).exclude(article=article)
    citing_articles = set(citing.values_list("article_id", flat=True))
    linked = citing.update(target=article) if citing_articles else 0

    unresolved = list(
        RelatedStory.objects.filter(article=article, target__isnull=True)
        .annotate(headline_upper=Upper("headline"))
        .only("pk", "headline")
    )
    if unresolved:
        others = dict(
            Article.objects.exclude(pk=article.pk)
            .annotate(headline_upper=Upper("headline"))
            .filter(
                headline_upper__in=[
                    Upper(Value(headline)) for headline in {s.headline for s in unresolved}
                ]
            )
            .values_list("headline_upper", "pk")
        )
        resolved = [story for story in unresolved if story.headline_upper in others]
        for story in resolved:
            story.target_id = others[story.headline_upper]
        linked += RelatedStory.objects.bulk_update(resolved, ["target"])
    # A queryset update sends no signals: the pages whose rails now link are refreshed here.
    caching.invalidate(caching.article_token(pk) for pk in citing_articles | {article.pk})
    return linked
