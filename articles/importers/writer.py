"""The one writer of imported pages: parsed pages in, articles and everything they name out.

Pages are written in batches, each in one transaction with a fixed number of bulk queries; a
single page is a batch of one. Every page is validated in Python first, with the limits the admin
applies: a page that fails gets its reason and nothing of it is written (not even a new author or
section it names), while the rest of its batch is written. If the database refuses a batch, it
is rolled back and its pages are written again one at a time, so each file gets its own answer.

How a page finds its article (its identity): its source URL when it has one; without one, the
headline it was imported with (``Article.source_headline``), which only the importer sets. A page
never takes over another story by slug: a new article whose slug is taken gets a suffix.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from articles.bulk import insert_objects, insert_rows, with_values
from articles.caching import articles_changed
from articles.importers.parser import PHOTOGRAPHER, ParsedPage, ParsedRailItem
from articles.importers.sidecar import Editorial
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
from articles.text import make_slug

BATCH_SIZE = 1000
# Sent in each batch's transaction once its articles are written, since bulk writes send no
# model signals: ``articles`` (saved), ``before`` ({pk: (status, published_at)} as stored before
# the write, for the articles that already existed).
articles_written = Signal()
PLAIN_TEXT = (models.CharField, models.TextField)
RAIL_MAX, HEADLINE_MAX, LABEL_MAX = (
    RelatedStory._meta.get_field(name).max_length for name in ("rail", "headline", "section_label")
)
CURATED_RAIL = "Related Stories"
RAIL_COLUMNS = ("article_id", "rail", "position", "target_id", "headline", "section_label")
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
    "lock_version",
]


@dataclass(frozen=True)
class Page:
    """One page to write: what it says, what the desk decided, and its name for messages."""

    parsed: ParsedPage
    editorial: Editorial = Editorial()
    name: str = ""

    @property
    def source_url(self) -> str:
        return self.parsed.source_url or self.editorial.source_url

    def identities(self) -> set[tuple[str, str]]:
        """What two pages of one batch may not share: they could be the same article."""
        keys = {("headline", self.parsed.headline)}
        if self.source_url:
            keys.add(("url", self.source_url))
        return keys


@dataclass
class PageResult:
    article: Article
    created: bool
    linked: int = 0
    before: tuple | None = None  # an existing article's stored (status, published_at)
    warnings: tuple[str, ...] = ()


def write_pages(pages: Iterable[Page]) -> Iterator[tuple[Page, PageResult | ValidationError]]:
    """Write ``pages`` in batches, yielding each page with its result or why it was refused.

    Streams: a batch is written as soon as it is full, so memory does not grow with the run. Two
    pages that may be one article never share a batch: the later one then updates what the
    earlier one wrote, exactly as two runs would.
    """
    batch: list[Page] = []
    taken: set[tuple[str, str]] = set()
    for page in pages:
        keys = page.identities()
        if batch and (len(batch) >= BATCH_SIZE or keys & taken):
            yield from _write_or_retry(batch)
            batch, taken = [], set()
        batch.append(page)
        taken |= keys
    if batch:
        yield from _write_or_retry(batch)


def save_parsed_article(*, parsed: ParsedPage, editorial: Editorial | None = None) -> PageResult:
    """Write one page (a batch of one); raise ValidationError if it is refused."""
    [(_, result)] = _write_or_retry([Page(parsed, editorial or Editorial())])
    if isinstance(result, ValidationError):
        raise result
    return result


def _write_or_retry(batch: list[Page]) -> list[tuple[Page, PageResult | ValidationError]]:
    try:
        with transaction.atomic():
            return list(zip(batch, _Batch(batch).write(), strict=True))
    except DatabaseError as error:
        if len(batch) == 1:
            return [(batch[0], ValidationError(f"the database refused it ({error})"))]
    # Rolled back as a whole: one at a time, each page gets its own answer.
    return [outcome for page in batch for outcome in _write_or_retry([page])]


@dataclass
class _Entry:
    """A page on its way to the database."""

    page: Page
    article: Article
    created: bool
    section_key: str = ""
    author_names: list[str] = field(default_factory=list)
    credit: ImageCredit | None = None
    credit_sources: list[tuple[str, str]] | None = None  # None: keep the credit as it is
    rail_names: list[str] = field(default_factory=list)
    stories: list[tuple[str, int, str, str]] = field(default_factory=list)  # rail, position,
    # headline, label: plain rows, because a page has twenty and model objects cost the most
    linked: int = 0


class _Batch:
    def __init__(self, pages: list[Page]):
        self.pages = pages
        self.now = timezone.now()
        self.errors: dict[int, ValidationError] = {}

    # Reading and validating: nothing is written until every page has been checked. ----------

    def write(self) -> list[PageResult | ValidationError]:
        existing = self._existing_articles()
        self.sections = self._sections()
        self.authors = self._authors()
        entries: dict[int, _Entry] = {}
        for index, page in enumerate(self.pages):
            if index in self.errors:
                continue
            try:
                entries[index] = self._entry(page, existing.get(index))
            except ValidationError as error:
                self.errors[index] = error
        ready = [entries[index] for index in sorted(entries) if index not in self.errors]
        if ready:
            self._write(ready)
        return [
            self.errors[index]
            if index in self.errors
            else PageResult(
                article=entries[index].article,
                created=entries[index].created,
                linked=entries[index].linked,
                warnings=self.pages[index].parsed.warnings,
            )
            for index in range(len(self.pages))
        ]

    def _fail(self, index: int, error: ValidationError) -> None:
        self.errors.setdefault(index, error)

    def _existing_articles(self) -> dict[int, Article]:
        articles = Article.objects.select_related("section", "lead_image")
        urls = [page.source_url for page in self.pages if page.source_url]
        by_url = {a.source_url: a for a in articles.filter(source_url__in=urls)} if urls else {}
        by_headline = {
            a.source_headline: a
            for a in articles.filter(source_headline__in=[p.parsed.headline for p in self.pages])
        }
        found = {}
        for index, page in enumerate(self.pages):
            article = by_url.get(page.source_url) if page.source_url else None
            if article is None:
                # The page imported before it had a URL is the same page; a story imported from
                # another URL is not.
                same = by_headline.get(page.parsed.headline)
                if same is not None and not (page.source_url and same.source_url):
                    article = same
            if article is not None:
                found[index] = article
        return found

    def _sections(self) -> dict[str, Section]:
        """Every section the pages name, by case-folded name; new ones unsaved."""
        sections = {section.name.casefold(): section for section in Section.objects.all()}
        slugs = {section.slug for section in sections.values()}
        for index, page in enumerate(self.pages):
            name = _section_name(page)
            if not name or name.casefold() in sections:
                continue
            section = Section(
                name=name,
                slug=_free_slug(make_slug(name, max_length=80, fallback="section"), slugs, 80),
            )
            try:
                _validate(section, ["name", "slug"])
            except ValidationError as error:
                self._fail(index, _about("section", name, error))
                continue
            slugs.add(section.slug)
            sections[name.casefold()] = section
        return sections

    def _authors(self) -> dict[str, Author]:
        """Every byline's author by exact name (the first of namesakes), new ones unsaved, with
        the email the page's sign-off gives them."""
        names = {name for page in self.pages for name in page.parsed.byline}
        authors: dict[str, Author] = {}
        for author in Author.objects.filter(name__in=names).order_by("-pk"):
            authors[author.name] = author
        new = [name for name in sorted(names) if name not in authors]
        slugs = _allocate_slugs(
            Author, [make_slug(name, max_length=120, fallback="author") for name in new], 120
        )
        for name, slug in zip(new, slugs, strict=True):
            authors[name] = Author(name=name, slug=slug)
        for author in authors.values():
            author.new_email = ""
        checked: dict[tuple[str, str], ValidationError | None] = {}
        for index, page in enumerate(self.pages):
            for name in page.parsed.byline:
                author = authors[name]
                email = page.parsed.email_of(name)
                if email and email != author.email:
                    author.new_email = email
                if author.pk is None or author.new_email:
                    key = (name, author.new_email or author.email)
                    if key not in checked:
                        checked[key] = _refusal(
                            Author(name=name, slug=author.slug, email=key[1]),
                            ["name", "slug", "email"],
                        )
                    if checked[key] is not None:
                        self._fail(index, _about("author", name, checked[key]))
        return authors

    def _entry(self, page: Page, article: Article | None) -> _Entry:
        parsed, editorial = page.parsed, page.editorial
        created = article is None
        if created:
            article = Article(
                status=editorial.status or Article.Status.DRAFT,
                view_count=parsed.view_count or 0,
                source_headline="" if page.source_url else parsed.headline,
            )
        else:
            before = (article.status, article.published_at)
            if editorial.status is not None:
                article.status = editorial.status
            article.lock_version = F("lock_version") + 1  # an editor's open form is now stale
        article.headline = parsed.headline
        article.body = sanitize_body(paragraphs_to_html(parsed.paragraphs))
        article.source_url = page.source_url or article.source_url
        if editorial.dek:
            article.dek = editorial.dek
        if editorial.published_at or created:
            article.published_at = editorial.published_at or article.published_at
        if article.status == Article.Status.PUBLISHED and article.published_at is None:
            article.published_at = self.now
        if editorial.editors_pick is not None:
            article.editors_pick = editorial.editors_pick
        article.updated_at = self.now
        entry = _Entry(page=page, article=article, created=created)
        if not created:
            entry.before = before
        section_name = _section_name(page)
        if section_name:
            entry.section_key = section_name.casefold()
            article.section = self.sections[entry.section_key]
        _validate(article, ["headline", "body", "source_url", "dek", "status", "published_at"])
        article.clean()
        for tag in editorial.tags or ():
            _check_text(Tag, "name", tag, required=True)
        entry.author_names = list(parsed.byline)
        self._credit(entry)
        entry.rail_names, entry.stories = _page_rails(parsed, curated=editorial.related)
        for rail, _, headline, label in entry.stories:
            if (
                not headline
                or len(rail) > RAIL_MAX
                or len(headline) > HEADLINE_MAX
                or len(label) > LABEL_MAX
            ):
                _check_text(RelatedStory, "rail", rail)
                _check_text(RelatedStory, "headline", headline, required=True)
                _check_text(RelatedStory, "section_label", label)
        return entry

    def _credit(self, entry: _Entry) -> None:
        """The article's credit as the page prints it (unsaved). A page without a credit keeps
        the article's credit only when it has a photo (an editor's upload)."""
        credit = entry.page.parsed.credit
        existing = entry.article.lead_image if entry.article.lead_image_id else None
        if credit is None:
            entry.credit = existing if existing and existing.image else None
            return
        image_credit = existing or ImageCredit()
        image_credit.caption = credit.caption
        image_credit.place = credit.place
        image_credit.credit_line = credit.credit_line
        if credit.photographers:
            image_credit.creator = ", ".join(credit.photographers)
        _validate(image_credit, ["caption", "place", "credit_line", "creator"])
        for source in credit.sources:
            _check_text(ImageSource, "name", source.name)
        entry.credit = image_credit
        entry.credit_sources = [(source.name, source.kind) for source in credit.sources]

    # Writing: bulk queries for the whole batch. ------------------------------------------------

    def _write(self, entries: list[_Entry]) -> None:
        updated = [entry.article.pk for entry in entries if not entry.created]
        # The pages that showed these articles before the import: their old section, authors
        # and tags (the call after the writes covers where they are now).
        articles_changed(updated)
        self._write_sections(entries)
        self._write_authors(entries)
        self._write_credits(entries)
        self._write_articles(entries)
        self._write_bylines(entries)
        self._write_tags(entries)
        citing = self._write_rails(entries)
        articles_changed(
            updated + citing, new=[entry.article.pk for entry in entries if entry.created]
        )
        articles_written.send(
            sender=Article,
            articles=[entry.article for entry in entries],
            before={entry.article.pk: entry.before for entry in entries if not entry.created},
        )
        for entry in entries:
            if not entry.created:
                # A re-import is a change like an editor's: it is in the article's history,
                # and an editor's form opened before it is told what happened and when.
                with reversion.create_revision():
                    reversion.set_comment(
                        f"Re-imported from {entry.page.name or 'a scraped page'}."
                    )
                    reversion.add_to_revision(entry.article)

    def _write_sections(self, entries: list[_Entry]) -> None:
        for entry in entries:
            section = entry.article.section if entry.section_key else None
            if section is not None and section.pk is None:
                section.save()  # a rare event; its signal refreshes the navigation
                entry.article.section = section

    def _write_authors(self, entries: list[_Entry]) -> None:
        used = list({name: self.authors[name] for e in entries for name in e.author_names}.values())
        new = [author for author in used if author.pk is None]
        changed = [author for author in used if author.pk is not None and author.new_email]
        for author in used:
            if author.new_email:
                author.email, author.new_email = author.new_email, ""
        Author.objects.bulk_create(new)
        for author in changed:
            author.save(update_fields=["email"])  # its signal refreshes its pages

    def _write_credits(self, entries: list[_Entry]) -> None:
        from_pages = [entry for entry in entries if entry.credit_sources is not None]
        wanted = dict.fromkeys((n, k) for e in from_pages for n, k in e.credit_sources)
        sources = {s.name: s for s in ImageSource.objects.filter(name__in=[n for n, _ in wanted])}
        ImageSource.objects.bulk_create(
            [ImageSource(name=n, kind=k) for n, k in wanted if n not in sources]
        )
        sources = {s.name: s for s in ImageSource.objects.filter(name__in=[n for n, _ in wanted])}
        # A page that names a photographer as one says what the source is.
        named_photographers = [
            n for n, k in wanted if k == PHOTOGRAPHER and sources[n].kind != PHOTOGRAPHER
        ]
        ImageSource.objects.filter(name__in=named_photographers).update(kind=PHOTOGRAPHER)
        existing = [e.credit for e in from_pages if e.credit.pk is not None]
        insert_objects([e.credit for e in from_pages if e.credit.pk is None])
        through = ImageCredit.sources.through
        if existing:
            ImageCredit.objects.bulk_update(
                existing, ["caption", "place", "credit_line", "creator"]
            )
            through.objects.filter(imagecredit__in=existing).delete()
        insert_rows(
            through,
            ("imagecredit_id", "imagesource_id"),
            [
                (entry.credit.pk, sources[name].pk)
                for entry in from_pages
                for name in dict.fromkeys(name for name, _ in entry.credit_sources)
            ],
        )
        for entry in entries:
            entry.article.lead_image = entry.credit

    def _write_articles(self, entries: list[_Entry]) -> None:
        new = [entry for entry in entries if entry.created]
        slugs = _allocate_slugs(
            Article,
            [make_slug(e.article.headline, max_length=300, fallback="article") for e in new],
            300,
        )
        for entry, slug in zip(new, slugs, strict=True):
            entry.article.slug = slug
        insert_objects([entry.article for entry in new])
        updated = [entry for entry in entries if not entry.created]
        if updated:
            Article.objects.bulk_update([entry.article for entry in updated], ARTICLE_FIELDS)
            counters = {
                pk: (lock_version, view_count)
                for pk, lock_version, view_count in Article.objects.filter(
                    pk__in=[entry.article.pk for entry in updated]
                ).values_list("pk", "lock_version", "view_count")
            }
            for entry in updated:
                entry.article.lock_version, entry.article.view_count = counters[entry.article.pk]
                figure = entry.page.parsed.view_count
                if figure and figure > entry.article.view_count:
                    # The live count is never lowered; raising it to the page's figure is.
                    Article.objects.filter(pk=entry.article.pk, view_count__lt=figure).update(
                        view_count=figure
                    )
                    entry.article.view_count = figure

    def _write_bylines(self, entries: list[_Entry]) -> None:
        Byline.objects.filter(article__in=[e.article.pk for e in entries if not e.created]).delete()
        insert_rows(
            Byline,
            ("article_id", "author_id", "position"),
            [
                (entry.article.pk, author.pk, position)
                for entry in entries
                for position, author in enumerate(
                    dict.fromkeys(self.authors[name] for name in entry.author_names)
                )
            ],
        )

    def _write_tags(self, entries: list[_Entry]) -> None:
        tagged = [entry for entry in entries if entry.page.editorial.tags is not None]
        if not tagged:
            return
        names = list(dict.fromkeys(name for entry in tagged for name in entry.page.editorial.tags))
        tags = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
        new = [name for name in names if name not in tags]
        slugs = _allocate_slugs(
            Tag, [make_slug(name, max_length=100, fallback="tag") for name in new], 100
        )
        for name, slug in zip(new, slugs, strict=True):
            tags[name] = Tag.objects.create(name=name, slug=slug)
        article_type = ContentType.objects.get_for_model(Article)
        current: dict[int, dict[str, int]] = {}
        for pk, object_id, name in TaggedItem.objects.filter(
            content_type=article_type,
            object_id__in=[e.article.pk for e in tagged if not e.created],
        ).values_list("pk", "object_id", "tag__name"):
            current.setdefault(object_id, {})[name] = pk
        stale, added = [], []
        for entry in tagged:
            have = current.get(entry.article.pk, {})
            wanted = entry.page.editorial.tags
            stale += [pk for name, pk in have.items() if name not in wanted]
            added += [
                TaggedItem(tag=tags[name], content_type=article_type, object_id=entry.article.pk)
                for name in wanted
                if name not in have
            ]
        TaggedItem.objects.filter(pk__in=stale).delete()
        TaggedItem.objects.bulk_create(added)

    def _write_rails(self, entries: list[_Entry]) -> list[int]:
        """Replace the rails the pages carry (an editor's other rails stay) and link headlines
        to articles both ways. Return the other articles whose rails now link here."""
        for entry in entries:
            if not entry.created and entry.rail_names:
                RelatedStory.objects.filter(
                    article=entry.article, rail__in=entry.rail_names
                ).delete()
        named = newest_articles_named({story[2] for e in entries for story in e.stories})
        rows = []
        for entry in entries:
            pk = entry.article.pk
            for rail, position, headline, label in entry.stories:
                target = named.get(headline)
                if target == pk:
                    target = None
                entry.linked += target is not None
                rows.append((pk, rail, position, target, headline, label))
        insert_rows(RelatedStory, RAIL_COLUMNS, rows)

        # Entries written before this batch that name one of its articles now link to it.
        by_pk = {entry.article.pk: entry for entry in entries}
        citing = _unlinked_entries_named({entry.article.headline for entry in entries})
        newest = newest_articles_named({headline for _, _, headline in citing})
        links, citing_articles = [], set()
        for pk, article_id, headline in citing:
            target = newest.get(headline)
            if target is None or target == article_id or target not in by_pk:
                continue
            links.append((pk, target))
            by_pk[target].linked += 1
            citing_articles.add(article_id)
        _set_targets(links)
        return sorted(citing_articles)


def newest_articles_named(headlines: set[str]) -> dict[str, int]:
    """For each headline, the article that has it, ignoring case: the most recently published,
    then the newest draft. One rule for every rail link the import makes.

    Compared by the database's UPPER(), which the index on UPPER(headline) serves.
    """
    quote = transaction.get_connection().ops.quote_name
    table = quote(Article._meta.db_table)
    headline, published_at = f"{table}.{quote('headline')}", f"{table}.{quote('published_at')}"
    pk = f"{table}.{quote('id')}"
    # NULLs sort differently on each database: drafts (no publish time) come first on both,
    # so the last row of each headline is the one wanted.
    rows = with_values(
        f"SELECT named.column1, {pk}, {published_at} IS NULL, {published_at} "
        f"FROM ({{values}}) AS named JOIN {table} ON UPPER({headline}) = UPPER(named.column1) "
        f"ORDER BY 3 DESC, 4 ASC, 2 ASC",
        [(headline,) for headline in sorted(headlines)],
        types=("text",),
    )
    return {named: article for named, article, *_ in rows}


def _unlinked_entries_named(headlines: set[str]) -> list[tuple[int, int, str]]:
    """(pk, article, headline) of the rail entries with no link whose headline is one of
    ``headlines``, ignoring case, as the partial index on UPPER(headline) serves them."""
    quote = transaction.get_connection().ops.quote_name
    table = quote(RelatedStory._meta.db_table)
    headline = f"{table}.{quote('headline')}"
    return with_values(
        f"SELECT {table}.{quote('id')}, {table}.{quote('article_id')}, {headline} "
        f"FROM ({{values}}) AS named JOIN {table} ON UPPER({headline}) = UPPER(named.column1) "
        f"WHERE {table}.{quote('target_id')} IS NULL",
        [(headline,) for headline in sorted(headlines)],
        types=("text",),
    )


def _set_targets(pairs: list[tuple[int, int]]) -> None:
    """``UPDATE ... FROM`` a table of pairs: Django's bulk_update writes a CASE with a branch per
    row, which takes seconds for a batch's few thousand rail links."""
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    table = quote(RelatedStory._meta.db_table)
    pk, target = quote(RelatedStory._meta.pk.column), quote("target_id")
    with_values(
        f"UPDATE {table} SET {target} = linked.column2 "
        f"FROM ({{values}}) AS linked WHERE {table}.{pk} = linked.column1",
        pairs,
        types=("bigint", "bigint"),
    )


def _page_rails(
    parsed: ParsedPage, *, curated: tuple[str, ...]
) -> tuple[list[str], list[tuple[str, int, str, str]]]:
    """The rails an import writes, the desk's curated headlines first, then the page's: their
    names, and their (rail, position, headline, label) rows."""
    rails = [(CURATED_RAIL, [ParsedRailItem(headline) for headline in curated])] if curated else []
    rails += [(rail.name, rail.items) for rail in parsed.rails]
    stories = []
    for name, items in rails:
        for item in items:
            stories.append((name, len(stories), item.headline, item.section_label))
    return [name for name, _ in rails], stories


def _section_name(page: Page) -> str:
    return (page.parsed.section or page.editorial.section).strip()


def _validate(instance: models.Model, fields: list[str], *, required: list[str] = ()) -> None:
    """The admin's limits on ``fields``, including a TextField's max_length (which Django
    enforces only in forms). Lengths are checked first: most values pass, and a full
    validation of every rail entry would cost most of an import's time."""
    quick = True
    for name in fields:
        model_field = instance._meta.get_field(name)
        _check_text(type(instance), name, getattr(instance, model_field.attname), name in required)
        # Plain text fields need no more than the length check; URLs, emails, slugs, dates and
        # choices get Django's own validation.
        quick = quick and type(model_field) in PLAIN_TEXT and not model_field.choices
    if not quick:
        others = [f.name for f in instance._meta.fields if f.name not in fields]
        instance.clean_fields(exclude=others)


def _check_text(model: type[models.Model], name: str, value, required: bool = False) -> None:
    """A value against its field's length limit (and, if ``required``, not blank): for plain
    values that need no model object to be checked."""
    limit = model._meta.get_field(name).max_length
    if isinstance(value, str) and limit and len(value) > limit:
        raise ValidationError(
            {name: f"{len(value):,} characters; at most {limit:,} ({value[:40]}…)"}
        )
    if required and not value:
        raise ValidationError({name: "This field cannot be blank."})


def _refusal(instance: models.Model, fields: list[str]) -> ValidationError | None:
    """Why ``_validate`` refuses ``instance``, or None."""
    try:
        _validate(instance, fields)
    except ValidationError as error:
        return error
    return None


def _about(what: str, name: str, error: ValidationError) -> ValidationError:
    messages = "; ".join(
        f"{key}: {' '.join(value)}" for key, value in getattr(error, "message_dict", {}).items()
    ) or " ".join(error.messages)
    return ValidationError(f"{what} {name[:80]!r}: {messages}")


def _free_slug(base: str, taken: set[str], max_length: int) -> str:
    slug, number = base, 2
    while slug in taken:
        suffix = f"-{number}"
        slug, number = f"{base[: max_length - len(suffix)]}{suffix}", number + 1
    return slug


def _allocate_slugs(model: type[models.Model], bases: list[str], max_length: int) -> list[str]:
    """A free slug for each base, in order: the base itself, else the base with "-2", "-3"...
    One query for the lot, and one more per base that is already taken."""
    taken = set(model._default_manager.filter(slug__in=set(bases)).values_list("slug", flat=True))
    slugs = []
    for base in bases:
        if base in taken:
            stem = base[: max_length - 8]
            taken |= set(
                model._default_manager.filter(slug__startswith=f"{stem}-").values_list(
                    "slug", flat=True
                )
            )
        slug = _free_slug(base, taken, max_length)
        taken.add(slug)
        slugs.append(slug)
    return slugs
