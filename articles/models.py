"""The newsroom's content: sections, authors, image credits, articles and related stories."""

import functools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db import connections, models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from taggit.managers import TaggableManager

from articles.sanitize import sanitize_body


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


class Section(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
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


class Author(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    email = models.EmailField(blank=True, help_text="Printed in the sign-off under the article.")
    bio = models.TextField(blank=True, max_length=2000)
    photo = models.ImageField(upload_to="authors/", blank=True)
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


class ImageCredit(models.Model):
    """What a news site prints under a photo, with the photo itself when the desk has it."""

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
        width_field="width",
        height_field="height",
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    alt_text = models.CharField(
        max_length=300, blank=True, help_text="Describes the image for readers who cannot see it."
    )

    class Meta:
        ordering = ["-pk"]

    def __str__(self):
        label = self.caption or self.credit_line or f"Image credit {self.pk}"
        return Truncator(label).chars(80)

    @property
    def printed_credit(self) -> str:
        """The line under the photo: "Place / Credit", as the desk prints it."""
        return " / ".join(part for part in (self.place, self.credit_line) if part)


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: published, with a publish time that has passed."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self):
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def in_section(self, section):
        return self.filter(section=section)

    def add_view(self, pk) -> int | None:
        """Count one read of article ``pk`` in one atomic statement; return the new total.

        ``UPDATE ... SET view_count = view_count + 1 ... RETURNING view_count``: concurrent reads
        never lose a count and each gets its own number. Returns None when ``pk`` is not among
        these articles (for example ``published().add_view(pk)`` of a draft).

        This runs on every page view, cached or not, so it skips the ORM's query building when
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

    def for_listing(self):
        """Everything a list of article cards shows, in a fixed number of queries."""
        return self.select_related("section", "lead_image").prefetch_related("authors")

    def for_detail(self):
        """Everything the article page shows, in a fixed number of queries."""
        return self.select_related("section", "lead_image").prefetch_related(
            models.Prefetch("authors", queryset=Author.objects.order_by("byline__position")),
            "tags",
            models.Prefetch(
                "related_stories",
                # A rail shows its stories' headlines, not their bodies (kilobytes each).
                queryset=RelatedStory.objects.select_related("target", "target__section").defer(
                    "target__body"
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
        max_length=300, unique=True, help_text="Part of the public URL; keep it once published."
    )
    dek = models.TextField(
        "summary", blank=True, max_length=1000, help_text="One or two sentences under the headline."
    )
    body = models.TextField(
        help_text="Paragraphs of HTML. Only safe tags are kept: anything else is removed on save."
    )
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    authors = models.ManyToManyField(
        Author, through="Byline", related_name="articles", help_text="The byline, in order."
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

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
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
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_url"],
                condition=~Q(source_url=""),
                name="unique_article_source_url",
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
            # Readers move the count all the time (add_view); an edit made on a copy loaded
            # minutes ago must not write its stale number back over theirs.
            kwargs["update_fields"] = [
                field.attname
                for field in self._meta.concrete_fields
                if not field.primary_key and field.attname != "view_count"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("articles:detail", self.slug)

    def clean(self):
        if self.status == self.Status.PUBLISHED and not self.published_at:
            raise ValidationError({"published_at": "A published article needs a publish time."})

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
    def summary(self) -> str:
        """The dek, or the start of the body for pages that came without one."""
        if self.dek:
            return self.dek
        return Truncator(strip_tags(self.body)).words(40)

    def record_view(self) -> int:
        """Count one read atomically in the database and return the new total."""
        counted = Article.objects.add_view(self.pk)
        # The total other readers made too, not just this copy's count plus one.
        self.view_count = counted if counted is not None else self.view_count + 1
        return self.view_count

    def rails(self) -> list[tuple[str, list["RelatedStory"]]]:
        """Related stories grouped by rail, rails in the order the editor placed them."""
        grouped: dict[str, list[RelatedStory]] = {}
        for story in self.related_stories.all():
            grouped.setdefault(story.rail, []).append(story)
        return list(grouped.items())


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


class RelatedStory(models.Model):
    """An editor-curated link from an article to another story, shown in a named rail.

    It points at an Article when the story is in the database; otherwise it keeps the headline
    and section label exactly as the source page showed them, so an editor can link it later.
    """

    RAIL_SUGGESTIONS = [
        "Related Stories",
        "Latest Stories",
        "You May Also Like",
        "Popular Now",
        "Must-Reads",
    ]

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
