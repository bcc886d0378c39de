"""Importing many pages at once: the same result as ``save_parsed_article`` page by page, in a
fixed number of queries per batch instead of some twenty per page.

``save_parsed_batch`` validates every page in Python first; a page that fails gets its error
and nothing of it is written. The valid pages are written together in one transaction with bulk
queries. If the database refuses anything, the whole batch is rolled back and the caller goes
page by page (``save_parsed_article``), so each file still gets its own error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from articles import caching
from articles.importers.loader import (
    Editorial,
    ImportResult,
    new_rail_stories,
    page_rails,
)
from articles.importers.parser import ParsedPage
from articles.models import (
    Article,
    Author,
    Byline,
    ImageCredit,
    ImageSource,
    RelatedStory,
    Section,
)
from articles.sanitize import paragraphs_to_html, sanitize_body

ARTICLE_FIELDS = [
    "headline",
    "body",
    "source_url",
    "dek",
    "status",
    "published_at",
    "editors_pick",
    "section",
    "lead_image",
    "updated_at",
]


def identity(parsed: ParsedPage, editorial: Editorial) -> tuple[str, str]:
    """How a page finds its article: source URL, else the slug of its headline."""
    return (parsed.source_url or editorial.source_url, slugify(parsed.headline)[:300] or "article")


@dataclass
class _Page:
    parsed: ParsedPage
    editorial: Editorial
    source_url: str
    slug: str
    article: Article | None = None
    created: bool = False
    section_name: str = ""
    author_names: list[str] = field(default_factory=list)
    rails: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    stories: list[RelatedStory] = field(default_factory=list)
    linked: int = 0


def save_parsed_batch(
    items: list[tuple[ParsedPage, Editorial]],
) -> list[ImportResult | ValidationError]:
    """Create or update the articles of ``items``: per item, its result or why it failed.

    The items' identities must be distinct (the command starts a new batch when one repeats).
    Raises DatabaseError after rolling everything back when the database refuses the batch.
    """
    pages = [_Page(parsed, editorial, *identity(parsed, editorial)) for parsed, editorial in items]
    if len({page.source_url or page.slug for page in pages}) != len(pages):
        raise ValueError("a batch cannot hold the same article twice")
    with transaction.atomic():
        return _save(pages)


def _save(pages: list[_Page]) -> list[ImportResult | ValidationError]:
    now = timezone.now()
    outcome: dict[int, ValidationError] = {}
    existing = Article.objects.select_related("section", "lead_image")
    by_url = {
        a.source_url: a
        for a in existing.filter(source_url__in=[p.source_url for p in pages if p.source_url])
    }
    by_slug = {a.slug: a for a in existing.filter(slug__in=[p.slug for p in pages])}

    sections = _sections(pages, outcome)
    authors = _authors(pages, outcome)
    credits: dict[int, tuple[ImageCredit | None, list[str]]] = {}

    for index, page in enumerate(pages):
        if index in outcome:
            continue
        parsed, editorial = page.parsed, page.editorial
        article = (by_url.get(page.source_url) if page.source_url else None) or by_slug.get(
            page.slug
        )
        page.created = article is None
        if page.created:
            article = Article(
                slug=page.slug,
                status=editorial.status or Article.Status.DRAFT,
                view_count=parsed.view_count or 0,
            )
        elif editorial.status is not None:
            article.status = editorial.status
        article.headline = parsed.headline
        article.body = sanitize_body(paragraphs_to_html(parsed.paragraphs))
        article.source_url = page.source_url or article.source_url
        if editorial.dek:
            article.dek = editorial.dek
        if editorial.published_at or page.created:
            article.published_at = editorial.published_at or article.published_at
        if article.status == Article.Status.PUBLISHED and article.published_at is None:
            article.published_at = now
        if editorial.editors_pick is not None:
            article.editors_pick = editorial.editors_pick
        article.updated_at = now
        if _section_name(page):
            article.section = sections[slugify(_section_name(page))]
        page.rails = page_rails(parsed, curated=editorial.related)
        page.stories = new_rail_stories(page.rails)
        try:
            # Foreign keys are set from rows just read or written, so they are not re-checked.
            article.full_clean(
                exclude=["section", "lead_image"], validate_unique=False, validate_constraints=False
            )
            for story in page.stories:
                # Only a length or an empty headline can be wrong; then full validation runs,
                # for its message. Skipping it otherwise saves most of the batch's Python time.
                if _needs_validation(story):
                    story.full_clean(
                        exclude=["article", "target"],
                        validate_unique=False,
                        validate_constraints=False,
                    )
            credits[index] = _credit(parsed, article)
        except ValidationError as error:
            outcome[index] = error
            continue
        page.article = article

    ready = [page for index, page in enumerate(pages) if index not in outcome]
    _write_sections_and_authors(ready, sections, authors)
    _save_credits(ready, [credits[i] for i in range(len(pages)) if i not in outcome])
    created = [page.article for page in ready if page.created]
    Article.objects.bulk_create(created)
    Article.objects.bulk_update(
        [page.article for page in ready if not page.created], ARTICLE_FIELDS
    )
    for page in ready:
        figure = page.parsed.view_count
        if not page.created and figure and figure > page.article.view_count:
            Article.objects.filter(pk=page.article.pk, view_count__lt=figure).update(
                view_count=figure
            )
            page.article.view_count = figure

    tokens = _save_bylines(ready, authors) | _save_tags(ready) | _save_rails(ready)
    for page in ready:
        tokens |= {caching.article_token(page.article.pk), caching.LATEST}
        if page.article.section_id:
            tokens.add(caching.SECTION_LIST.format(slug=page.article.section.slug))
    caching.invalidate(tokens, schedule_changed=True)

    results: list[ImportResult | ValidationError] = []
    for index, page in enumerate(pages):
        results.append(
            outcome[index]
            if index in outcome
            else ImportResult(article=page.article, created=page.created, linked=page.linked)
        )
    return results


_STORY_LIMITS = [
    (field.attname, field.max_length)
    for field in RelatedStory._meta.concrete_fields
    if getattr(field, "max_length", None)
]


def _needs_validation(story: RelatedStory) -> bool:
    return not story.headline or any(
        len(getattr(story, name) or "") > limit for name, limit in _STORY_LIMITS
    )


def _section_name(page: _Page) -> str:
    return (page.parsed.section or page.editorial.section).strip()


def _sections(pages: list[_Page], outcome: dict) -> dict[str, Section]:
    """Every section named, by slug; new ones validated but not saved yet."""
    names = dict.fromkeys(_section_name(page) for page in pages if _section_name(page))
    found = {s.slug: s for s in Section.objects.filter(slug__in=[slugify(n) for n in names])}
    for name in names:
        if slugify(name) in found:
            continue
        section = Section(name=name, slug=slugify(name))
        try:
            section.full_clean(validate_unique=False)
        except ValidationError as error:
            for index, page in enumerate(pages):
                if _section_name(page) == name:
                    outcome[index] = error
            continue
        found[section.slug] = section
    return found


def _authors(pages: list[_Page], outcome: dict) -> dict[str, Author]:
    """Every byline's author by slug, new ones unsaved, sign-off emails set; all validated."""
    wanted: dict[str, str] = {}
    emails: dict[str, str] = {}
    for page in pages:
        signoff = slugify(page.parsed.signoff_name)
        page.author_names = list(page.parsed.byline)
        for name in page.parsed.byline:
            wanted.setdefault(slugify(name), name)
            if slugify(name) == signoff and page.parsed.signoff_email:
                emails[slugify(name)] = page.parsed.signoff_email
    found = {a.slug: a for a in Author.objects.filter(slug__in=list(wanted))}
    for slug, name in wanted.items():
        author = found.get(slug) or Author(name=name, slug=slug)
        author.new_email = emails.get(slug, "")
        if author.new_email:
            author.email = author.new_email
        if author.pk is None or author.new_email:
            try:
                author.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                for index, page in enumerate(pages):
                    if slug in {slugify(n) for n in page.author_names}:
                        outcome[index] = error
                continue
        found[slug] = author
    return found


def _write_sections_and_authors(
    pages: list[_Page], sections: dict[str, Section], authors: dict[str, Author]
) -> None:
    """Create the sections and authors the written pages use (a failed page adds none)."""
    used_sections = dict.fromkeys(
        slugify(_section_name(page)) for page in pages if _section_name(page)
    )
    new_sections = [sections[slug] for slug in used_sections if sections[slug].pk is None]
    if new_sections:
        Section.objects.bulk_create(new_sections)
        caching.invalidate([caching.SECTIONS])
    used = [
        authors[slug]
        for slug in dict.fromkeys(slugify(name) for page in pages for name in page.author_names)
    ]
    changed = [author for author in used if author.pk is not None and author.new_email]
    Author.objects.bulk_create([author for author in used if author.pk is None])
    Author.objects.bulk_update(changed, ["email"])
    if changed:
        caching.invalidate(caching.author_token(author.pk) for author in changed)


def _credit(parsed: ParsedPage, article: Article) -> tuple[ImageCredit | None, list[str] | None]:
    """The article's credit filled in from the page (unsaved), and the agencies it names
    (None: the credit is kept as it is).

    As the page-by-page import: a page without a credit keeps a credit only if it has an image.
    """
    existing = article.lead_image if article.lead_image_id else None
    credit = parsed.credit
    if credit is None:
        return (existing if existing and existing.image else None), None
    image_credit = existing or ImageCredit()
    image_credit.caption = credit.caption
    image_credit.place = credit.place
    image_credit.credit_line = credit.credit_line
    image_credit.full_clean(validate_unique=False)
    return image_credit, list(dict.fromkeys(credit.sources))


def _save_credits(
    pages: list[_Page], credits: list[tuple[ImageCredit | None, list[str] | None]]
) -> None:
    from_pages = [(credit, names) for credit, names in credits if names is not None]
    wanted = {name for _, names in from_pages for name in names}
    sources = {s.name: s for s in ImageSource.objects.filter(name__in=wanted)}
    missing = [
        ImageSource(name=name)
        for name in dict.fromkeys(n for _, names in from_pages for n in names)
        if name not in sources
    ]
    for source in ImageSource.objects.bulk_create(missing):
        sources[source.name] = source
    new = [credit for credit, _ in from_pages if credit.pk is None]
    changed = [credit for credit, _ in from_pages if credit.pk is not None]
    ImageCredit.objects.bulk_create(new)
    ImageCredit.objects.bulk_update(changed, ["caption", "place", "credit_line"])
    through = ImageCredit.sources.through
    through.objects.filter(imagecredit__in=changed).delete()
    through.objects.bulk_create(
        through(imagecredit=credit, imagesource=sources[name])
        for credit, names in from_pages
        for name in names
    )
    if changed:
        caching.invalidate(caching.credit_token(credit.pk) for credit in changed)
    for page, (credit, _) in zip(pages, credits, strict=True):
        page.article.lead_image = credit


def _save_bylines(pages: list[_Page], authors: dict[str, Author]) -> set[str]:
    Byline.objects.filter(article__in=[p.article for p in pages if not p.created]).delete()
    bylines, tokens = [], set()
    for page in pages:
        chosen = list(dict.fromkeys(authors[slugify(name)] for name in page.author_names))
        for position, author in enumerate(chosen):
            bylines.append(Byline(article=page.article, author=author, position=position))
            tokens.add(caching.AUTHOR_LIST.format(slug=author.slug))
    Byline.objects.bulk_create(bylines)
    return tokens


def _save_tags(pages: list[_Page]) -> set[str]:
    tagged = [page for page in pages if page.editorial.tags is not None]
    if not tagged:
        return set()
    names = list(dict.fromkeys(name for page in tagged for name in page.editorial.tags))
    tags = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    for name in names:  # in the pages' order, as page-by-page imports make them
        if name not in tags:
            tags[name] = Tag.objects.create(name=name)  # taggit makes the slug unique
    article_type = ContentType.objects.get_for_model(Article)
    existing = TaggedItem.objects.filter(
        content_type=article_type, object_id__in=[p.article.pk for p in tagged if not p.created]
    ).select_related("tag")
    current: dict[int, dict[str, TaggedItem]] = {}
    for item in existing:
        current.setdefault(item.object_id, {})[item.tag.name] = item
    stale, new, tokens = [], [], set()
    for page in tagged:
        have = current.get(page.article.pk, {})
        wanted = dict.fromkeys(page.editorial.tags)
        stale += [item.pk for name, item in have.items() if name not in wanted]
        tokens |= {caching.TAG_LIST.format(slug=item.tag.slug) for item in have.values()}
        for name in wanted:
            tokens.add(caching.TAG_LIST.format(slug=tags[name].slug))
            if name not in have:
                new.append(
                    TaggedItem(tag=tags[name], content_type=article_type, object_id=page.article.pk)
                )
    TaggedItem.objects.filter(pk__in=stale).delete()
    TaggedItem.objects.bulk_create(new)
    return tokens


def _save_rails(pages: list[_Page]) -> set[str]:
    """Replace the rails the pages carry, linking headlines to articles both ways."""
    for page in pages:
        if not page.created and page.rails:
            RelatedStory.objects.filter(
                article=page.article, rail__in=[name for name, _ in page.rails]
            ).delete()
        for story in page.stories:
            story.article = page.article
    stories = [story for page in pages for story in page.stories]

    # The batch's own entries are linked before they are written (this batch's articles exist
    # by now): the newest other article with the same headline, as the page-by-page import.
    named = _articles_named({story.headline for story in stories})
    for page in pages:
        for story in page.stories:
            story.target_id = next(
                (pk for pk in named.get(story.headline, ()) if pk != page.article.pk), None
            )
            page.linked += story.target_id is not None
    RelatedStory.objects.bulk_create(stories)

    # Entries written earlier that name one of this batch's articles.
    by_article = {page.article.pk: page for page in pages}
    targets: dict[str, int] = {}
    for pk, upper in (
        Article.objects.filter(pk__in=list(by_article))
        .annotate(headline_upper=Upper("headline"))
        .values_list("pk", "headline_upper")
    ):
        targets.setdefault(upper, pk)
    citing = (
        RelatedStory.objects.annotate(headline_upper=Upper("headline"))
        .filter(
            target__isnull=True,
            headline_upper__in=[Upper(Value(page.article.headline)) for page in pages],
        )
        .values_list("pk", "article_id", "headline_upper")
    )
    tokens: set[str] = set()
    linked: list[tuple[int, int]] = []
    for pk, article_id, upper in citing:
        target = targets.get(upper)
        if target is None or target == article_id:
            continue
        linked.append((pk, target))
        by_article[target].linked += 1
        tokens.add(caching.article_token(article_id))
    _set_targets(linked)
    return tokens


def _articles_named(headlines: set[str], chunk: int = 2000) -> dict[str, list[int]]:
    """Each headline's articles, compared by the database's UPPER() (its index), newest first."""
    found: dict[str, list[int]] = {}
    if not headlines:
        return found
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    table = quote(Article._meta.db_table)
    headline = f"{table}.{quote('headline')}"
    published_at, pk = f"{table}.{quote('published_at')}", f"{table}.{quote('id')}"
    ordered = sorted(headlines)
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), chunk):
            part = ordered[start : start + chunk]
            rows = ", ".join(["(%s)"] * len(part))
            cursor.execute(
                f"SELECT named.column1, {pk} FROM (VALUES {rows}) AS named "
                f"JOIN {table} ON UPPER({headline}) = UPPER(named.column1) "
                f"ORDER BY {published_at} DESC, {pk} DESC",
                part,
            )
            for name, article in cursor.fetchall():
                found.setdefault(name, []).append(article)
    return found


def _set_targets(pairs: list[tuple[int, int]], chunk: int = 2000) -> None:
    """``UPDATE ... FROM (VALUES ...)``: one statement per chunk. Django's bulk_update writes a
    CASE with a branch per row, which takes seconds for a batch's few thousand rail links."""
    if not pairs:
        return
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    table = quote(RelatedStory._meta.db_table)
    pk, target = quote(RelatedStory._meta.pk.column), quote("target_id")
    # Both PostgreSQL and SQLite name a VALUES list's columns column1, column2.
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), chunk):
            part = pairs[start : start + chunk]
            rows = ", ".join(["(%s, %s)"] * len(part))
            cast = "::bigint" if connection.vendor == "postgresql" else ""
            cursor.execute(
                f"UPDATE {table} SET {target} = linked.column2{cast} "
                f"FROM (VALUES {rows}) AS linked WHERE {table}.{pk} = linked.column1{cast}",
                [value for pair in part for value in pair],
            )
