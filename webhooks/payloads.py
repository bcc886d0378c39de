"""The JSON body of an event: ``{"type", "timestamp", "data"}``, as Standard Webhooks suggests.

``data`` names the story (id, slug, URLs); for a story that is live it also carries the story
exactly as ``GET /api/v1/articles/<slug>/`` shows it, so a partner needs no second request.
An ``article.unpublished`` event carries only the names, never the story's content.
"""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from api.serializers import ArticleSerializer
from articles.metadata import absolute, iso_datetime
from articles.models import Article, slug_url
from webhooks.models import EventType, WebhookEvent


def event_body(event: WebhookEvent) -> str | None:
    """The body to send, or None when the event is no longer true (the story is not live)."""
    context: dict = {}
    if event.type == EventType.UNPUBLISHED:
        slug = event.details.get("slug", "")
        data = {"id": event.article_id, **event.details}
    else:
        article = Article.objects.published().for_detail().filter(pk=event.article_id).first()
        if article is None:
            return None
        slug = article.slug
        data = {
            "id": article.pk,
            "slug": slug,
            "headline": article.headline,
            "article": ArticleSerializer(article, context=context).data,
        }
        if "correction" in event.details:
            data["correction"] = event.details["correction"]
    if slug:
        data["url"] = absolute(slug_url("articles:detail", slug))
        data["api_url"] = absolute(reverse("api:article-detail", kwargs={"slug": slug}))
    body = {"type": event.type, "timestamp": iso_datetime(event.due_at), "data": data}
    return json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
