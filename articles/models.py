"""The newsroom's content: sections, authors, image credits, articles and related stories."""

import datetime as dt
import functools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db import connections, models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Greatest, Upper
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.text import Truncator
from taggit.managers import TaggableManager

from articles import stored_files
from articles.sanitize import sanitize_body, to_plain_text

# A summary cut from the body (when there is no dek) is at most this many words.
SUMMARY_WORDS = 40
# Articles per statement when view counts are written (kept well under SQLite's parameter cap).
VIEW_COUNT_BATCH = 500


@functools.lru_cache(maxsize=20_000)
def _slug_url(viewname: str, slug: str, urlconf, script_prefix: str) -> str:
    return reverse(viewname, kwargs={"slug": slug}, urlconf=urlconf)


def slug_url(viewname: str, slug: str) -> str:
    """reverse() of a slug URL, remembered: a page links dozens of articles, sections and
    authors, and reverse() walks the URL patterns every time."""
    return _slug_url(viewname, slug, get_urlconf(), get_script_prefix())


@receiver(setting_changed)
def _forget_urls(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _slug_url.cache_clear()


class RenderedPhoto:
    """A model with one photo that articles/images.py measures and renders once per new file.

    ``photo_fields`` names the model's file field, then its width, height and renditions fields.
    A file written by a save that then fails is removed again (articles/stored_files.py).
    """

    photo_fields: tuple[str, str, str, str]

    def save(self, *args, **kwargs):
        file = getattr(self, self.photo_fields[0])
        new_upload = bool(file) and not file._committed
        try:
            super().save(*args, **kwargs)
        finally:
            if new_upload and file._committed:
                stored_files.written(file.storage, file.name)
        name = file.name or ""
        if name != getattr(self, "_stored_photo_name", ""):
            # A new photo: measure it and make its renditions once (articles/images.py).
            from articles.images import refresh_image_data

            refresh_image_data(self)
            self._stored_photo_name = name
            self.photo_replaced()

    def photo_replaced(self) -> None:
        """Called once a new photo is measured and rendered; what else it changes."""

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_photo_name = instance.__dict__.get(cls.photo_fields[0]) or ""
        return instance

    @property
    def picture(self):
        """The stored renditions as ``ImageRenditions`` for templates (articles/images.py)."""
        from articles.images import ImageRenditions

        return ImageRenditions.from_photo(self)


class Section(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True, allow_unicode=True)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order in the site's navigation; lower comes first."
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("articles:section", self.slug)


class Author(RenderedPhoto, models.Model):
    photo_fields = ("photo", "photo_width", "photo_height", "photo_renditions")

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True, allow_unicode=True)
    email = models.EmailField(blank=True, help_text="Printed in the sign-off under the article.")
    bio = models.TextField(blank=True, max_length=2000)
    photo = models.ImageField(
        upload_to="authors/",
        blank=True,
        help_text="A JPEG, PNG or WebP portrait; readers get resized copies, never the file.",
    )
    # As ImageCredit's: measured and rendered once per new photo by articles/images.py.
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_renditions = models.JSONField(default=dict, blank=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text="The staff account that writes as this author.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("articles:author", self.slug)


class ImageSource(models.Model):
    """An agency or photographer credited for images, so an editor can list all their work."""

    class Kind(models.TextChoices):
        AGENCY = "agency", "Agency"
        PHOTOGRAPHER = "photographer", "Photographer"

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.AGENCY)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ImageCredit(RenderedPhoto, models.Model):
    """What a news site prints under a photo, with the photo itself when the desk has it."""

    photo_fields = ("image", "width", "height", "renditions")

    caption = models.TextField(blank=True)
    place = models.CharField(max_length=120, blank=True, help_text='For example "Kazan (Russia)".')
    credit_line = models.CharField(
        max_length=200,
        blank=True,
        help_text='The credit exactly as printed, for example "Reuters-Yonhap".',
    )
    sources = models.ManyToManyField(
        ImageSource,
        blank=True,
        related_name="credits",
        help_text="Every agency or photographer named in the credit line.",
    )
    image = models.ImageField(
        upload_to="images/%Y/%m/",
        blank=True,
        help_text="A JPEG, PNG or WebP photo. The caption, credit and rights written in the "
        "file (IPTC/EXIF) are shown below it for you to use or ignore; none is used unasked.",
    )
    # Measured by articles/images.py as the photo is shown (EXIF orientation applied), so the
    # page can reserve the right box before the image loads.
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    alt_text = models.CharField(
        max_length=300, blank=True, help_text="Describes the image for readers who cannot see it."
    )
    creator = models.CharField(
        max_length=200, blank=True, help_text="The photographer, as the file or agency names them."
    )
    copyright_notice = models.CharField(
        max_length=300, blank=True, help_text='For example "© 2024 Reuters". Not printed.'
    )
    licence_terms = models.TextField(
        blank=True, help_text="What we may do with the image: where, how long, any restrictions."
    )
    licence_ends_on = models.DateField(
        null=True,
        blank=True,
        db_index=True,
        help_text="The last day we may show the image. Empty means no end date.",
    )
    # Responsive renditions made once by articles/images.py and cached in storage; kept here so
    # the article page needs no query for them: {"webp": [{"w", "h", "name"}...], "fallback": ...}.
    renditions = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["-pk"]

    def __str__(self):
        label = self.caption or self.credit_line or f"Image credit {self.pk}"
        return Truncator(label).chars(80)

    def photo_replaced(self) -> None:
        # A new photo is a change readers see on every story that leads with it.
        self.lead_of.update(updated_at=timezone.now())

    @property
    def printed_credit(self) -> str:
        """The line under the photo: "Place / Credit", as the desk prints it."""
        return " / ".join(part for part in (self.place, self.credit_line) if part)

    def licence_has_ended(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.licence_ends_on is not None and self.licence_ends_on < today

    def licence_ends_at(self) -> dt.datetime | None:
        """The moment the photo may no longer be shown: the start of the day after the last."""
        if self.licence_ends_on is None:
            return None
        day_after = self.licence_ends_on + dt.timedelta(days=1)
        return timezone.make_aware(dt.datetime.combine(day_after, dt.time.min))


# The columns of an article a card reads (articles/_card.html, _lead_story.html, the page cache).
CARD_FIELDS = (
    "headline",
    "slug",
    "dek",
    "body",
    "section",
    "lead_image",
    "status",
    "published_at",
)


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: published, with a publish time that has passed."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self):
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def in_section(self, section):
        return self.filter(section=section)

    def in_workflow_state(self, state: str):
        """The articles in one of the desk's four states (WorkflowState)."""
        if state == WorkflowState.SCHEDULED:
            return self.scheduled()
        if state == WorkflowState.PUBLISHED:
            return self.published()
        return self.filter(status=state)

    def live_or_scheduled(self):
        return self.filter(status=Article.Status.PUBLISHED)

    def with_ended_image_licence(self, today=None):
        """Published (live or scheduled) articles whose lead image may no longer be shown."""
        today = today or timezone.localdate()
        return self.filter(status=Article.Status.PUBLISHED, lead_image__licence_ends_on__lt=today)

    def bylined_to(self, user):
        """Articles on whose byline ``user``'s author profile stands ("my articles")."""
        return self.filter(authors__user=user).distinct() if user.pk else self.none()

    def add_view(self, pk) -> int | None:
        """Count one read of article ``pk`` in one atomic statement; return the new total.

        ``UPDATE ... SET view_count = view_count + 1 ... RETURNING view_count``: concurrent reads
        never lose a count and each gets its own number. Returns None when ``pk`` is not among
        these articles (for example ``published().add_view(pk)`` of a draft).

        Reads are counted in the cache (articles.view_counts); this is the way when there is no
        cache to count in or it is unreachable, so it skips the ORM's query building when
        there is no filter. On PostgreSQL the statement's commit does not wait for the disk:
        a crash of the database server may lose the last fraction of a second of view counts,
        never anything else, and each view costs a round trip instead of a disk flush.
        """
        if self.query.where:
            query = self.filter(pk=pk).query
            if len(query.alias_map) > 1:
                raise ValueError("add_view() works on filters of the article table alone.")
            compiler = query.get_compiler(self.db)
            where, params = compiler.compile(query.where)
            connection = compiler.connection
        else:
            connection = connections[self.db]
            where, params = f"{connection.ops.quote_name(self.model._meta.pk.column)} = %s", [pk]
        table = connection.ops.quote_name(self.model._meta.db_table)
        column = connection.ops.quote_name("view_count")
        relaxed, source = "", ""
        if connection.vendor == "postgresql":
            relaxed = "WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)) "
            source = " FROM relaxed"
        with connection.cursor() as cursor:
            cursor.execute(
                f"{relaxed}UPDATE {table} SET {column} = {column} + 1{source} "
                f"WHERE {where} RETURNING {column}",
                params,
            )
            row = cursor.fetchone()
        return row[0] if row else None

    def raise_view_counts(self, totals: dict[int, int]) -> dict[int, int]:
        """Raise each article's count to its figure in ``totals``, never lowering one.

        One statement per batch of articles, each set to the greater of its row and its figure,
        so writing a figure twice or late does no harm. Returns the counts the rows now hold
        (articles deleted meanwhile are left out).
        """
        articles = sorted(totals)
        stored = {}
        for start in range(0, len(articles), VIEW_COUNT_BATCH):
            batch = articles[start : start + VIEW_COUNT_BATCH]
            figure = Case(
                *(When(pk=pk, then=Value(totals[pk])) for pk in batch),
                output_field=models.PositiveIntegerField(),
            )
            self.filter(pk__in=batch).update(view_count=Greatest(F("view_count"), figure))
            stored.update(self.filter(pk__in=batch).values_list("pk", "view_count"))
        return stored

    def bylined_authors(self):
        """The authors on the byline of any of these articles.

        Asked per author (an index lookup of its bylines until one is among these articles),
        so checking one author, as the search form does, reads a few rows, not every story.
        """
        return Author.objects.filter(Exists(self.filter(authors=OuterRef("pk"))))

    def used_tags(self):
        """The tags of any of these articles (asked per tag, like ``bylined_authors``)."""
        from taggit.models import Tag

        return Tag.objects.filter(Exists(self.filter(tags=OuterRef("pk"))))

    def most_bylined_authors(self):
        """The authors on these articles' bylines, the most stories first (name and slug)."""
        return (
            Author.objects.filter(byline__article__in=self.values("pk"))
            .annotate(stories=models.Count("byline"))
            .order_by("-stories", "name", "pk")
            .only("name", "slug")
        )

    def most_used_tags(self):
        """The tags of these articles, the most stories first (name and slug)."""
        from django.contrib.contenttypes.models import ContentType
        from taggit.models import Tag

        return (
            Tag.objects.filter(
                # The content type's id (cached by Django), not a join on the content type table.
                taggit_taggeditem_items__content_type=ContentType.objects.get_for_model(Article),
                taggit_taggeditem_items__object_id__in=self.values("pk"),
            )
            .annotate(stories=models.Count("taggit_taggeditem_items"))
            .order_by("-stories", "name", "pk")
            .only("name", "slug")
        )

    def tags_by_article(self) -> dict[int, list]:
        """{article id: its tags by name} for these articles, in one query.

        For lists that print tags (feeds): prefetching ``tags`` makes django-taggit build a
        filtered queryset per article, most of a feed's time.
        """
        from django.contrib.contenttypes.models import ContentType
        from taggit.models import TaggedItem

        tagged = (
            TaggedItem.objects.filter(
                content_type=ContentType.objects.get_for_model(Article),
                object_id__in=self.values("pk"),
            )
            .select_related("tag")
            .order_by("tag__name", "tag__pk")
        )
        tags: dict[int, list] = {}
        for item in tagged:
            tags.setdefault(item.object_id, []).append(item.tag)
        return tags

    def for_listing(self):
        """Everything a list of article cards shows, in a fixed number of queries."""
        return self.select_related("section", "lead_image").prefetch_related(
            models.Prefetch("authors", queryset=Author.objects.order_by("byline__position"))
        )

    def for_cards(self):
        """What a story's card shows (headline, summary, section, photo, byline) and no more.

        The summary falls back to the body's first paragraph, and a search excerpt reads the
        body, so the body stays; the metadata and workflow columns do not come along.
        """
        return (
            self.select_related("section", "lead_image")
            .only(*CARD_FIELDS)
            .prefetch_related(
                models.Prefetch(
                    "authors",
                    queryset=Author.objects.order_by("byline__position").only("name", "slug"),
                )
            )
        )

    def for_detail(self):
        """Everything the article page shows, in a fixed number of queries.

        The byline and the rails load only the columns they print: a rail's twenty stories
        built whole cost more than the rest of the page's queries together.
        """
        return self.select_related("section", "lead_image", "social_image").prefetch_related(
            models.Prefetch(
                "authors",
                queryset=Author.objects.order_by("byline__position").only("name", "slug", "email"),
            ),
            "tags",
            models.Prefetch(
                "related_stories",
                queryset=RelatedStory.objects.select_related("target", "target__section").only(
                    *RAIL_ENTRY_FIELDS
                ),
            ),
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"

    headline = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=300,
        unique=True,
        allow_unicode=True,
        help_text="Part of the public URL. Changed on a live article, the old URL keeps "
        "working: it answers 301 with the new one (Redirects).",
    )
    dek = models.TextField(
        "summary", blank=True, max_length=1000, help_text="One or two sentences under the headline."
    )
    body = models.TextField(
        blank=True,
        help_text="Paragraphs of HTML. Only safe tags are kept: anything else is removed on save. "
        "A draft may be empty; publishing needs a body.",
    )
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    authors = models.ManyToManyField(
        Author, through="Byline", related_name="articles", help_text="The byline, in order."
    )
    byline_note = models.CharField(
        "byline display line",
        max_length=200,
        blank=True,
        help_text='Printed beside the byline, e.g. "Reuters contributed to this report." '
        "Author pages and metadata use only the structured authors.",
    )
    tags = TaggableManager(blank=True)
    lead_image = models.ForeignKey(
        ImageCredit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lead_of",
        verbose_name="lead image credit",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Visible once Published and this time has passed; a future time schedules it.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    view_count = models.PositiveIntegerField(default=0, editable=False)
    editors_pick = models.BooleanField(
        default=False, help_text='Listed in the "Must-Reads" rail when no rail is curated.'
    )
    source_url = models.URLField(
        max_length=500, blank=True, help_text="The page this article was imported from."
    )
    # How a re-import of a scraped page without a source URL finds this article again: the
    # headline that page had. Only the importer sets it, so it never matches a story an editor
    # wrote, and an editor may change the headline without the next import duplicating the story.
    source_headline = models.CharField(max_length=300, blank=True, editable=False)
    # How the story appears in search results and when shared; each falls back to the story's
    # own headline, summary and lead image (the rules are in articles/metadata.py).
    seo_title = models.CharField(
        "search title",
        max_length=70,
        blank=True,
        help_text="The title search engines show, at most 70 characters. Empty: the headline.",
    )
    seo_description = models.CharField(
        "search description",
        max_length=160,
        blank=True,
        help_text="The snippet under the title in search results, at most 160 characters. "
        "Empty: the summary.",
    )
    social_headline = models.CharField(
        max_length=150,
        blank=True,
        help_text="The headline on the card when the story is shared. Empty: the headline.",
    )
    social_description = models.CharField(
        max_length=300,
        blank=True,
        help_text="The text on the shared card. Empty: the search description, else the summary.",
    )
    social_image = models.ForeignKey(
        ImageCredit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="social_of",
        verbose_name="social image credit",
        help_text="The picture on the shared card. Empty: the lead image.",
    )
    # Optimistic locking: the admin form carries the version it was read at and refuses to
    # save over a newer one (articles/forms.py).
    lock_version = models.PositiveIntegerField(default=0, editable=False)
    # The published corrections, newest last, copied from Correction rows whenever one is
    # appended (Correction.save), so the article page and feeds read them with no extra query.
    correction_log = models.JSONField(default=list, blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        permissions = [
            ("publish_article", "Can publish, schedule, unpublish and return articles to draft"),
            ("edit_any_article", "Can edit articles they are not bylined on"),
        ]
        indexes = [
            # Rail entries are linked to articles by headline, ignoring case (the importer).
            models.Index(Upper("headline"), name="article_headline_upper"),
            # Every list page: the newest published articles first, read from the index in
            # order instead of sorting the whole archive on each request.
            models.Index(
                F("published_at").desc(),
                F("id").desc(),
                condition=Q(status="published"),
                name="article_published_newest",
            ),
            # The home page's section blocks rank each section's newest stories from this
            # index alone, instead of sorting the archive.
            models.Index(
                fields=["section", "-published_at", "-id"],
                condition=Q(status="published"),
                name="article_section_newest",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_url"],
                condition=~Q(source_url=""),
                name="unique_article_source_url",
            ),
            models.UniqueConstraint(
                fields=["source_headline"],
                condition=~Q(source_headline=""),
                name="unique_article_source_headline",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_article_has_publish_time",
            ),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        self.body = sanitize_body(self.body)
        if not self._state.adding and not args and kwargs.get("update_fields") is None:
            # Readers' views are written to the count at any moment (articles.view_counts); an
            # edit made on a copy loaded minutes ago must not write its stale number back.
            kwargs["update_fields"] = [
                field.attname
                for field in self._meta.concrete_fields
                if not field.primary_key and field.attname != "view_count"
            ]
        super().save(*args, **kwargs)
        self._stored_status = self.status

    def get_absolute_url(self):
        return slug_url("articles:detail", self.slug)

    def clean(self):
        if self.status == self.Status.PUBLISHED and not self.published_at:
            raise ValidationError({"published_at": "A published article needs a publish time."})

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_status = instance.__dict__.get("status")
        return instance

    def is_out(self) -> bool:
        """Published or scheduled as stored, whatever a form has since set on this copy:
        readers see it now, or will at its publish time, so only an editor may change it."""
        if self._state.adding:
            return False
        return (getattr(self, "_stored_status", None) or self.status) == self.Status.PUBLISHED

    def is_published(self) -> bool:
        """The same rule as ArticleQuerySet.published(), for one article."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def workflow_state(self) -> "WorkflowState":
        """What the desk calls the article now: its status, with "published" split by the clock."""
        if self.status == self.Status.PUBLISHED:
            return WorkflowState.SCHEDULED if self.is_scheduled() else WorkflowState.PUBLISHED
        return WorkflowState(self.status)

    def get_workflow_state_display(self) -> str:
        return self.workflow_state.label

    @property
    def lead_photo(self) -> "ImageCredit | None":
        """The lead image readers may see: none from the moment its licence ends.

        Every public place (pages, feeds, sitemaps, metadata) shows the photo through this, so
        it leaves all of them at once with no job to run.
        """
        credit = self.lead_image
        if credit is None or credit.licence_has_ended():
            return None
        return credit

    @property
    def last_modified(self):
        """When readers last saw a change: the later of the publish time and the last save.

        A correction saves the article, so it moves this date (feeds and JSON-LD dateModified);
        so does a new lead photo, or its file being replaced (ImageCredit.save), and the end
        of its licence, when it leaves the page.
        """
        dates = [d for d in (self.published_at, self.updated_at) if d is not None]
        credit = Article.lead_image.field.get_cached_value(self, None)
        loaded = credit is not None and "licence_ends_on" in credit.__dict__
        if loaded and credit.licence_has_ended():
            dates.append(credit.licence_ends_at())
        return max(dates) if dates else self.created_at

    def was_updated_after_publication(self) -> bool:
        return bool(
            self.published_at and self.updated_at - self.published_at > dt.timedelta(minutes=1)
        )

    @property
    def corrections_for_display(self) -> list[dict]:
        """The appended corrections, oldest first, each {"kind", "label", "text", "date"}."""
        entries = []
        for entry in self.correction_log or ():
            entries.append(
                entry
                | {
                    "date": dt.datetime.fromisoformat(entry["date"]),
                    "label": Correction.Kind(entry["kind"]).label,
                }
            )
        return entries

    def sync_correction_log(self) -> None:
        """Copy the corrections into ``correction_log`` and move the modified date."""
        self.correction_log = [
            {
                "id": correction.pk,
                "kind": correction.kind,
                "text": correction.text,
                "date": correction.created_at.isoformat(),
            }
            for correction in self.corrections.order_by("created_at", "pk")
        ]
        self.updated_at = timezone.now()
        Article.objects.filter(pk=self.pk).update(
            correction_log=self.correction_log, updated_at=self.updated_at
        )

    @property
    def summary(self) -> str:
        """The dek, or else the lede (the first paragraph), cut to 40 words only when longer."""
        if self.dek:
            return self.dek
        lede = to_plain_text(self.body.split("</p>", 1)[0])
        return Truncator(lede).words(SUMMARY_WORDS)

    def rails(self) -> list[tuple[str, list["RelatedStory"]]]:
        """Related stories grouped by rail, rails in the order the editor placed them."""
        grouped: dict[str, list[RelatedStory]] = {}
        for story in self.related_stories.all():
            grouped.setdefault(story.rail, []).append(story)
        return list(grouped.items())


class WorkflowState(models.TextChoices):
    """The four states the desk works with; "scheduled" is published with a future time."""

    DRAFT = Article.Status.DRAFT.value, Article.Status.DRAFT.label
    REVIEW = Article.Status.REVIEW.value, Article.Status.REVIEW.label
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = Article.Status.PUBLISHED.value, Article.Status.PUBLISHED.label


class Correction(models.Model):
    """A dated correction or editor's note appended to a published article.

    Part of the public record: it is never edited or deleted through the admin (superusers
    excepted), and each one moves the article's modified date.
    """

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        CLARIFICATION = "clarification", "Clarification"
        EDITORS_NOTE = "note", "Editor's note"

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="corrections")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(
        max_length=2000,
        help_text="What was wrong and what is right, in plain sentences. Printed at the foot "
        "of the article with today's date.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        excerpt = Truncator(self.text).chars(60)
        return f"{self.get_kind_display()} of {self.created_at:%d %b %Y}: {excerpt}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.article.sync_correction_log()

    def clean(self):
        if self.pk is None and self.article_id and not self.article.is_published():
            raise ValidationError(
                "Corrections are for articles readers have seen; edit a draft or scheduled "
                "article directly."
            )

    def delete(self, *args, **kwargs):
        article = self.article
        result = super().delete(*args, **kwargs)
        article.sync_correction_log()
        return result


class Byline(models.Model):
    """One author's place in an article's byline."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE)
    author = models.ForeignKey(Author, on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="unique_byline_author"),
        ]

    def __str__(self):
        return f"{self.author} on {self.article}"


# What a rail prints of a curated entry and of the story it points at (articles/rails.py),
# and what the page cache reads of it (articles/caching/dependencies.py).
RAIL_ENTRY_FIELDS = (
    "article",
    "rail",
    "position",
    "headline",
    "section_label",
    "target__headline",
    "target__slug",
    "target__status",
    "target__published_at",
    "target__section__name",
    "target__section__slug",
)


class RelatedStory(models.Model):
    """An editor-curated link from an article to another story, shown in a named rail.

    It points at an Article when the story is in the database; otherwise it keeps the headline
    and section label exactly as the source page showed them, so an editor can link it later.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_stories")
    rail = models.CharField(max_length=80, default="Related Stories")
    position = models.PositiveSmallIntegerField(default=0)
    target = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cited_by",
        help_text="The story in our database, when we have it.",
    )
    headline = models.CharField(
        max_length=300, blank=True, help_text="As the source page showed it."
    )
    section_label = models.CharField(
        max_length=80, blank=True, help_text='As the source page showed it, e.g. "LIFESTYLE".'
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "related stories"
        indexes = [
            # The importer looks up headline-only entries by headline, ignoring case.
            models.Index(
                Upper("headline"),
                condition=Q(target__isnull=True),
                name="relatedstory_unlinked_headline",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(target__isnull=False) | ~Q(headline=""),
                name="related_story_has_target_or_headline",
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=True) | ~Q(target=F("article")),
                name="related_story_not_self",
            ),
        ]

    def __str__(self):
        return f"{self.rail}: {self.display_headline}"

    def clean(self):
        if self.target_id is None and not self.headline:
            raise ValidationError("Choose a story or type the headline as the page showed it.")
        if self.target_id is not None and self.target_id == self.article_id:
            raise ValidationError({"target": "An article cannot be related to itself."})

    @property
    def display_headline(self) -> str:
        return self.target.headline if self.target_id and self.target else self.headline

    @property
    def display_section(self) -> str:
        if self.target_id and self.target and self.target.section_id:
            return self.target.section.name
        return self.section_label

    def link(self) -> str:
        """The target's URL when readers can follow it, else "" (never a dead link)."""
        if self.target_id and self.target and self.target.is_published():
            return self.target.get_absolute_url()
        return ""


class PendingInvalidation(models.Model):
    """A change the page cache has not been told of yet (articles/caching/versions.py).

    Written in the same transaction as the change and deleted once the cache has taken it, so a
    cache that cannot be reached at that moment (a Redis blip) delays the change, never loses
    it. ``tokens`` is filled in when telling the cache failed; a row without them refreshes
    every page when it is replayed.
    """

    tokens = models.JSONField(null=True, blank=True)
    schedule_changed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"Page cache change of {self.created_at:%Y-%m-%d %H:%M:%S}"


# Models kept in their own packages, registered with the app here (they name this module's
# models by string, so there is no import circle).
from articles.desk.models import EditorialNote, FormDraft  # noqa: E402, F401
from articles.fronts.models import BreakingNews, Front, Pin, Zone  # noqa: E402, F401
from articles.redirects.models import Redirect  # noqa: E402, F401
