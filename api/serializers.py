"""What the API shows of stories, sections, authors, tags and photos: never emails, never drafts.

Every URL is absolute, on the site's one origin (``SITE_URL``, ``metadata.absolute``) whatever
host the client asked, so a cached answer is right for every client and a webhook payload names
the same addresses. Serializers read only what the views' querysets
loaded, so a list or a story costs a fixed number of queries.
"""

from __future__ import annotations

import mimetypes
from urllib.parse import urlencode

from django.core.files.storage import default_storage
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.metadata import absolute, iso_datetime
from articles.models import slug_url
from articles.rails import build_rails


def api_list_url(context: dict, **filters) -> str:
    if "list_path" not in context:
        context["list_path"] = reverse("api:article-list")
    return absolute(f"{context['list_path']}?{urlencode(filters)}")


# Sections, authors and tags appear many times in a list (every story's byline and tags), so
# their serializers write their keys directly; the declared fields describe them in the schema,
# and tests/test_api.py checks that both name the same keys.


def section_ref(context: dict, section) -> dict:
    return {
        "name": section.name,
        "slug": section.slug,
        "url": absolute(section.get_absolute_url()),
        "articles_url": api_list_url(context, section=section.slug),
    }


def author_ref(context: dict, author) -> dict:
    return {
        "name": author.name,
        "slug": author.slug,
        "url": absolute(author.get_absolute_url()),
        "api_url": absolute(slug_url("api:author-detail", author.slug)),
    }


def tag_ref(context: dict, tag) -> dict:
    return {
        "name": tag.name,
        "slug": tag.slug,
        "url": absolute(slug_url("articles:tag", tag.slug)),
    }


@extend_schema_field(OpenApiTypes.DATETIME)
class TimestampField(serializers.Field):
    """ISO 8601 in the site's time zone, to the second, with its offset."""

    def to_representation(self, value):
        return iso_datetime(value) if value else None


class SectionRefSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.URLField(help_text="The section's page on the site.")
    articles_url = serializers.URLField(help_text="Its stories in this API.")

    def to_representation(self, section):
        return section_ref(self.context, section)


class SectionSerializer(SectionRefSerializer):
    description = serializers.CharField()

    def to_representation(self, section):
        return {**section_ref(self.context, section), "description": section.description}


class AuthorRefSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.URLField(help_text="The author's page on the site.")
    api_url = serializers.URLField()

    def to_representation(self, author):
        return author_ref(self.context, author)


class AuthorSerializer(AuthorRefSerializer):
    bio = serializers.CharField()
    photo = serializers.URLField(allow_null=True)
    articles_url = serializers.URLField(help_text="Their stories in this API.")

    def to_representation(self, author):
        return {
            **author_ref(self.context, author),
            "bio": author.bio,
            "photo": absolute(author.photo.url) if author.photo else None,
            "articles_url": api_list_url(self.context, author=author.slug),
        }


class TagRefSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.URLField(help_text="The tag's page on the site.")

    def to_representation(self, tag):
        return tag_ref(self.context, tag)


class TagSerializer(TagRefSerializer):
    articles_url = serializers.URLField()

    def to_representation(self, tag):
        return {
            **tag_ref(self.context, tag),
            "articles_url": api_list_url(self.context, tag=tag.slug),
        }


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
        return absolute(credit.image.url) if credit.image else None

    @extend_schema_field(RenditionSerializer(many=True))
    def get_renditions(self, credit) -> list[dict]:
        """Every stored width, WebP first, smallest first within each format."""
        if not credit.image:
            return []
        stored = credit.renditions or {}
        return [
            {
                "url": absolute(default_storage.url(rendition["name"])),
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
        return [author_ref(self.context, author) for author in article.authors.all()]

    @extend_schema_field(TagRefSerializer(many=True))
    def get_tags(self, article):
        tags = sorted(article.tags.all(), key=lambda tag: tag.name.casefold())
        return [tag_ref(self.context, tag) for tag in tags]

    def get_url(self, article) -> str:
        return absolute(article.get_absolute_url())

    def get_api_url(self, article) -> str:
        return absolute(slug_url("api:article-detail", article.slug))


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
                        "url": absolute(item.url) if item.url else None,
                    }
                    for item in rail.items
                ],
            }
            for rail in build_rails(article)
        ]
