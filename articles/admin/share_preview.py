"""The article form's preview of the story as a search result and as a shared card.

Rendered from the saved article by the rules the public pages use (articles/metadata.py), and
then kept up to date as the editor types by articles/admin/share_preview.js, which repeats only
the fallbacks (an empty field shows the article's own value).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.template.loader import render_to_string

from articles import metadata
from articles.models import SUMMARY_WORDS


def _from_this_server(url: str) -> str:
    """The picture's address on the server showing the form: the site's public origin may be
    another host (or not yet answering) while the desk works."""
    return url.removeprefix(settings.SITE_URL) if url.startswith(settings.SITE_URL + "/") else url


def share_preview_html(article) -> str:
    saved = article.pk is not None
    return render_to_string(
        "admin/articles/article/share_preview.html",
        {
            "site_name": metadata.site_name(),
            "host": urlsplit(settings.SITE_URL).netloc,
            "url": metadata.absolute(article.get_absolute_url()) if saved else settings.SITE_URL,
            "title": metadata.page_title(article),
            "description": metadata.description(article),
            "social_title": metadata.social_title(article),
            "social_description": metadata.social_description(article),
            "image_url": _from_this_server(metadata.social_image(article)["url"]),
            "description_length": metadata.DESCRIPTION_LENGTH,
            "summary_words": SUMMARY_WORDS,
        },
    )
