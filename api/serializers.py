"""What the API shows of stories, sections, authors, tags and photos: never emails, never drafts.

Every URL is absolute. Inside a request it is on the host the client asked; outside one (a
webhook payload) on ``NEWSROOM_SITE_URL``. Serializers read only what the views' querysets
loaded, so a list or a story costs a fixed number of queries.
"""

from __future__ import annotations

import mimetypes
from urllib.parse import urlencode

from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.metadata import iso_datetime
from articles.rails import build_rails


def absolute_url(context: dict, path: str) -> str:
    request = context.get("request")
    if request is not None:
        return request.build_absolute_uri(path)
    if path.startswith(("http://", "https://")):
        return path
    return settings.NEWSROOM_SITE_URL + path


def api_list_url(context: dict, **filters) -> str:
    return absolute_url(context, f"{reverse('api:article-list')}?{urlencode(filters)}")


@extend_schema_field(OpenApiTypes.DATETIME)
class TimestampField(serializers.Field):
    """ISO 8601 in the site's time zone, to the second, with its offset."""

    def to_representation(self, value):
        return iso_datetime(value) if value else None


class SectionSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The section's page on the site.")
    articles_url = serializers.SerializerMethodField(help_text="Its stories in this API.")

    def get_url(self, section) -> str:
        return absolute_url(self.context, section.get_absolute_url())

    def get_articles_url(self, section) -> str:
        return api_list_url(self.context, section=section.slug)


class SectionRefSerializer(SectionSerializer):
    description = None


class AuthorRefSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The author's page on the site.")
    api_url = serializers.SerializerMethodField()

    def get_url(self, author) -> str:
        return absolute_url(self.context, author.get_absolute_url())

    def get_api_url(self, author) -> str:
        return absolute_url(
            self.context, reverse("api:author-detail", kwargs={"slug": author.slug})
        )


class AuthorSerializer(AuthorRefSerializer):
    bio = serializers.CharField()
    photo = serializers.SerializerMethodField()
    articles_url = serializers.SerializerMethodField(help_text="Their stories in this API.")

    def get_photo(self, author) -> str | None:
        return absolute_url(self.context, author.photo.url) if author.photo else None

    def get_articles_url(self, author) -> str:
        return api_list_url(self.context, author=author.slug)


class TagSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.SerializerMethodField()
    articles_url = serializers.SerializerMethodField()

    def get_url(self, tag) -> str:
        return absolute_url(self.context, reverse("articles:tag", kwargs={"slug": tag.slug}))

    def get_articles_url(self, tag) -> str:
        return api_list_url(self.context, tag=tag.slug)


class TagRefSerializer(TagSerializer):
    articles_url = None


class RenditionSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    type = serializers.CharField(help_text="image/webp, image/jpeg or image/png")


class ImageSerializer(serializers.Serializer):
    """A lead photo with its credit, as printed under it, and its stored renditions."""

    url = serializers.SerializerMethodField(help_text="The original file; null for a credit alone.")
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    alt_text = serializers.CharField()
    caption = serializers.CharField()
    credit = serializers.CharField(source="credit_line")
    place = serializers.CharField()
    creator = serializers.CharField()
    printed_credit = serializers.CharField(help_text='"Place / Credit", as the site prints it.')
    renditions = serializers.SerializerMethodField()

    def get_url(self, credit) -> str | None:
        return absolute_url(self.context, credit.image.url) if credit.image else None

    @extend_schema_field(RenditionSerializer(many=True))
    def get_renditions(self, credit) -> list[dict]:
        """Every stored width, WebP first, smallest first within each format."""
        if not credit.image:
            return []
        stored = credit.renditions or {}
        return [
            {
                "url": absolute_url(self.context, default_storage.url(rendition["name"])),
                "width": rendition["w"],
                "height": rendition["h"],
                "type": mimetypes.guess_type(rendition["name"])[0] or "application/octet-stream",
            }
            for kind in ("webp", "fallback")
            for rendition in stored.get(kind, ())
        ]


class ArticleSummarySerializer(serializers.Serializer):
    """A story as lists show it: everything but the body, the rails and the corrections."""

    id = serializers.IntegerField()
    slug = serializers.CharField()
    headline = serializers.CharField()
    dek = serializers.CharField()
    summary = serializers.CharField(help_text="The dek, or else the first paragraph.")
    section = SectionRefSerializer(allow_null=True)
    authors = serializers.SerializerMethodField(help_text="In byline order.")
    byline_note = serializers.CharField(
        help_text='Printed beside the byline, e.g. "Reuters contributed to this report."'
    )
    tags = serializers.SerializerMethodField()
    lead_image = ImageSerializer(allow_null=True)
    published_at = TimestampField()
    modified_at = TimestampField(
        source="last_modified", help_text="The later of publication and the last change."
    )
    url = serializers.SerializerMethodField(help_text="The canonical URL of the story.")
    api_url = serializers.SerializerMethodField()

    @extend_schema_field(AuthorRefSerializer(many=True))
    def get_authors(self, article):
        return AuthorRefSerializer(article.authors.all(), many=True, context=self.context).data

    @extend_schema_field(TagRefSerializer(many=True))
    def get_tags(self, article):
        tags = sorted(article.tags.all(), key=lambda tag: tag.name.casefold())
        return TagRefSerializer(tags, many=True, context=self.context).data

    def get_url(self, article) -> str:
        return absolute_url(self.context, article.get_absolute_url())

    def get_api_url(self, article) -> str:
        return absolute_url(
            self.context, reverse("api:article-detail", kwargs={"slug": article.slug})
        )


class RailStorySerializer(serializers.Serializer):
    headline = serializers.CharField()
    section = serializers.CharField()
    url = serializers.CharField(
        allow_null=True, help_text="Null for a story that is not on this site."
    )


class RailSerializer(serializers.Serializer):
    title = serializers.CharField()
    automatic = serializers.BooleanField(help_text="Filled by the site rather than an editor.")
    stories = RailStorySerializer(many=True)


class CorrectionSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="correction, clarification or note")
    label = serializers.CharField()
    text = serializers.CharField()
    date = TimestampField()


class ArticleSerializer(ArticleSummarySerializer):
    """A whole story, as its page shows it."""

    body = serializers.CharField(help_text="Sanitized HTML: paragraphs, headings, links, lists.")
    rails = serializers.SerializerMethodField(help_text="Related stories, rail by rail.")
    corrections = CorrectionSerializer(
        source="corrections_for_display", many=True, help_text="Oldest first."
    )

    @extend_schema_field(RailSerializer(many=True))
    def get_rails(self, article) -> list[dict]:
        return [
            {
                "title": rail.title,
                "automatic": rail.automatic,
                "stories": [
                    {
                        "headline": item.headline,
                        "section": item.section,
                        "url": absolute_url(self.context, item.url) if item.url else None,
                    }
                    for item in rail.items
                ],
            }
            for rail in build_rails(article)
        ]
