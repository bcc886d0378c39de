"""What the desk puts on its front pages.

A *front* is one arrangement of a page (the home page or a section's page): ordered *zones*
("Lead", "Top stories", "Editor's picks"), each with a number of slots. An editor pins stories
to slots; the other slots are filled with the newest stories. The page shows the front whose
go-live time passed most recently, so the next edition can be prepared and scheduled.

The models refer to the rest of the app by name only, so ``articles.models`` can register them
without an import circle.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from articles.fields import recorded_user
from articles.text import strip_control_characters

MAX_ZONE_SIZE = 20


class FrontQuerySet(models.QuerySet):
    def for_page(self, section=None):
        """The fronts of the home page (``section`` None) or of one section's page."""
        return self.filter(section=section) if section is not None else self.filter(section=None)

    def live(self, now=None):
        return self.filter(live_from__lte=now or timezone.now())

    def scheduled(self, now=None):
        return self.filter(live_from__gt=now or timezone.now())

    def current_and_upcoming(self, section, now):
        """The page's live front (the latest to go live) and every page's scheduled fronts."""
        latest_live = (
            Front.objects.for_page(section).live(now).order_by("-live_from", "-pk").values("pk")[:1]
        )
        return (
            self.filter(Q(live_from__gt=now) | Q(pk__in=latest_live))
            .select_related("section")
            .order_by("-live_from", "-pk")
        )


class Front(models.Model):
    section = models.ForeignKey(
        "articles.Section",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="fronts",
        help_text="The section page this front arranges; empty for the home page.",
    )
    name = models.CharField(
        max_length=120, help_text='For the desk, e.g. "Election night". Readers never see it.'
    )
    live_from = models.DateTimeField(
        "goes live",
        null=True,
        blank=True,
        db_index=True,
        help_text="The page shows the front whose time has passed most recently. A future time "
        "schedules it; empty keeps it as a draft that readers never see.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = recorded_user()

    objects = FrontQuerySet.as_manager()

    class Meta:
        ordering = [models.F("live_from").desc(nulls_first=True), "-pk"]

    def __str__(self):
        return f"{self.page_name}: {self.name}"

    def save(self, *args, **kwargs):
        self.name = strip_control_characters(self.name)
        super().save(*args, **kwargs)

    @property
    def page_name(self) -> str:
        return self.section.name if self.section_id else "Home page"

    def page_url(self) -> str:
        from django.urls import reverse

        return self.section.get_absolute_url() if self.section_id else reverse("articles:home")

    @property
    def state(self) -> str:
        """draft, scheduled or live: whether readers can see it yet (not whether it is on top)."""
        if self.live_from is None:
            return "draft"
        return "scheduled" if self.live_from > timezone.now() else "live"

    def copy(self, *, name: str, user=None) -> "Front":
        """A draft with the same zones and pinned stories, to prepare the next edition."""
        duplicate = Front.objects.create(
            section=self.section, name=name, live_from=None, updated_by=user
        )
        for zone in self.zones.prefetch_related("pins"):
            pins = list(zone.pins.all())
            zone.pk, zone.front = None, duplicate
            zone.save()
            Pin.objects.bulk_create(
                Pin(zone=zone, slot=pin.slot, article_id=pin.article_id) for pin in pins
            )
        return duplicate


class Zone(models.Model):
    class Layout(models.TextChoices):
        LEAD = "lead", "Lead"
        CARDS = "cards", "Cards"
        HEADLINES = "headlines", "Headlines"

    front = models.ForeignKey(Front, on_delete=models.CASCADE, related_name="zones")
    name = models.CharField(max_length=80, help_text='Printed above the zone, e.g. "Top stories".')
    layout = models.CharField(
        max_length=20,
        choices=Layout.choices,
        default=Layout.CARDS,
        help_text="Lead: the first story large, the others as cards. Cards: headline, summary "
        "and byline. Headlines: a list of headlines.",
    )
    size = models.PositiveSmallIntegerField(
        "slots",
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ZONE_SIZE)],
        help_text="How many stories the zone shows. Slots without a pinned story, or whose "
        "story is not live, take the newest stories not already on the page.",
    )
    fill_section = models.ForeignKey(
        "articles.Section",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="fill from section",
        help_text="Fill the free slots with this section's newest stories; empty: the page's "
        "own (every section on the home page).",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = strip_control_characters(self.name)
        super().save(*args, **kwargs)


class Pin(models.Model):
    """A story an editor pinned to one slot of a zone."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="pins")
    slot = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ZONE_SIZE)],
        help_text="1 is the zone's first slot. Drag the rows to reorder them.",
    )
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        related_name="pins",
        verbose_name="story",
    )

    class Meta:
        ordering = ["slot", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "slot"], name="unique_pin_slot"),
            models.UniqueConstraint(fields=["zone", "article"], name="unique_pin_story"),
        ]

    def __str__(self):
        return f"Slot {self.slot}: {self.article}" if self.article_id else f"Slot {self.slot}"

    def clean(self):
        zone = Pin.zone.field.get_cached_value(self, None) if self.zone_id else None
        if zone is not None and self.slot and self.slot > zone.size:
            raise ValidationError(
                {"slot": f"This zone has {zone.size} slots: choose 1 to {zone.size}."}
            )


class BreakingNewsQuerySet(models.QuerySet):
    def not_ended(self, now=None):
        return self.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now or timezone.now()))


class BreakingNews(models.Model):
    """The banner across the top of every page while it is live."""

    text = models.CharField(
        max_length=200, help_text='One line, e.g. "Earthquake hits Busan: live updates".'
    )
    link = models.CharField(
        max_length=500,
        blank=True,
        help_text='Where the banner leads: a page of this site ("/news/...") or a full '
        "https:// address. Empty: the banner is plain text.",
    )
    starts_at = models.DateTimeField(
        default=timezone.now, help_text="Shown from this time; a future time schedules it."
    )
    ends_at = models.DateTimeField(
        null=True, blank=True, help_text="Taken down at this time; empty keeps it up until then."
    )
    created_by = recorded_user()

    objects = BreakingNewsQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = "breaking-news banner"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="breaking_news_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        self.text = strip_control_characters(self.text)
        self.link = strip_control_characters(self.link).strip()
        super().save(*args, **kwargs)

    def clean(self):
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The banner must end after it starts."})
        link = self.link.strip()
        if link and not (link.startswith("/") and not link.startswith("//")):
            from django.core.validators import URLValidator

            try:
                URLValidator(schemes=["http", "https"])(link)
            except ValidationError:
                raise ValidationError(
                    {"link": 'Give a page of this site ("/news/...") or a full https:// address.'}
                ) from None

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return self.starts_at <= now and (self.ends_at is None or self.ends_at > now)
