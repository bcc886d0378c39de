"""What search engines and link previews read: schema.org JSON-LD and OpenGraph/Twitter tags.

Every function takes the request, because every URL in page metadata is absolute and on the host
the reader asked for.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

# The share image used when a story has no photo of its own, and the publisher's logo.
DEFAULT_IMAGE = {"path": "articles/share.png", "width": 1200, "height": 630}
LOGO = {"path": "articles/logo.png", "width": 600, "height": 60}
DESCRIPTION_LENGTH = 160
# Inside <script>, "</script>" or "<!--" in a headline must not end the element.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def iso_datetime(value) -> str:
    """ISO 8601 in the site's time zone, to the second."""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def site_name() -> str:
    return settings.NEWSROOM_SITE_NAME


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


def page_title(article) -> str:
    """The <title> (without the site's name): the search title, else the headline."""
    return article.seo_title or article.headline


def description(article) -> str:
    """Meta description and JSON-LD: the search description, else the summary, cut."""
    text = article.seo_description or article.summary
    return Truncator(" ".join(text.split())).chars(DESCRIPTION_LENGTH)


def social_title(article) -> str:
    """OpenGraph and Twitter title: the social headline, else the headline."""
    return article.social_headline or article.headline


def social_description(article) -> str:
    """OpenGraph and Twitter description: the social text, else the meta description."""
    if article.social_description:
        return " ".join(article.social_description.split())
    return description(article)


def social_image(request, article) -> dict:
    """The shared card's picture: the social image when it has a photo, else article_image."""
    credit = article.social_image
    if credit is not None and credit.image:
        return _credit_image(request, credit)
    return article_image(request, article)


def _credit_image(request, credit) -> dict:
    """A photo credit's picture: its 16:9 crop (1,200 px wide at most) rather than the upload,
    which may be megabytes; ``crops`` are the 16:9, 4:3 and 1:1 crops for JSON-LD."""
    crops = [
        {**crop, "url": absolute(request, crop["url"])} for crop in credit.picture.crops.values()
    ]
    shown = (
        crops[0]
        if crops
        else {
            "url": absolute(request, credit.image.url),
            "width": credit.width,
            "height": credit.height,
        }
    )
    return {
        **shown,
        "alt": credit.alt_text or credit.caption,
        "caption": credit.caption,
        "own": True,
        "crops": crops,
    }


def article_image(request, article) -> dict:
    """The story's lead photo (see _credit_image), or the site's share image when it has none."""
    credit = article.lead_image
    if credit is not None and credit.image:
        return _credit_image(request, credit)
    return {
        "url": absolute(request, static(DEFAULT_IMAGE["path"])),
        "width": DEFAULT_IMAGE["width"],
        "height": DEFAULT_IMAGE["height"],
        "alt": site_name(),
        "caption": "",
        "own": False,
        "crops": [],
    }


def publisher(request) -> dict:
    return {
        "@type": "NewsMediaOrganization",
        "name": site_name(),
        "url": absolute(request, reverse("articles:home")),
        "logo": {
            "@type": "ImageObject",
            "url": absolute(request, static(LOGO["path"])),
            "width": LOGO["width"],
            "height": LOGO["height"],
        },
    }


def person(request, author) -> dict:
    return {
        "@type": "Person",
        "name": author.name,
        "url": absolute(request, author.get_absolute_url()),
    }


def news_article(request, article) -> dict:
    """schema.org NewsArticle: what Google's article rich results read."""
    url = absolute(request, article.get_absolute_url())
    image = article_image(request, article)
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.headline,
        "description": description(article),
        # The 16:9, 4:3 and 1:1 crops Google recommends, when the photo has them.
        "image": [
            {
                "@type": "ImageObject",
                "url": shown["url"],
                **({"width": shown["width"], "height": shown["height"]} if shown["width"] else {}),
                **({"caption": image["caption"]} if image["caption"] else {}),
            }
            for shown in image["crops"] or [image]
        ],
        "author": [person(request, author) for author in article.authors.all()],
        "publisher": publisher(request),
        "inLanguage": "en",
        "isAccessibleForFree": True,
    }
    if article.published_at:
        data["datePublished"] = iso_datetime(article.published_at)
        data["dateModified"] = iso_datetime(article.last_modified)
    if article.section_id:
        data["articleSection"] = article.section.name
    keywords = [tag.name for tag in article.tags.all()]
    if keywords:
        data["keywords"] = keywords
    return data


def breadcrumb_list(request, crumbs) -> dict:
    """schema.org BreadcrumbList from [(name, path)], home first."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": absolute(request, path),
            }
            for position, (name, path) in enumerate(crumbs, start=1)
        ],
    }


def website(request) -> dict:
    """schema.org WebSite with its search, and the organisation behind it, for the home page."""
    home = absolute(request, reverse("articles:home"))
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": site_name(),
        "url": home,
        "publisher": publisher(request),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": absolute(request, reverse("articles:search")) + "?q={search_term}",
            },
            "query-input": "required name=search_term",
        },
    }


def profile_page(request, author) -> dict:
    """schema.org ProfilePage for an author's page."""
    data = person(request, author)
    if author.bio:
        data["description"] = author.bio
    if picture := author.picture:
        # The square crop suits a portrait; photos stored before the crops give the rendition.
        square = picture.crops.get("1x1")
        data["image"] = absolute(request, square["url"] if square else picture.src)
    return {"@context": "https://schema.org", "@type": "ProfilePage", "mainEntity": data}


def json_ld(data) -> SafeString:
    """A <script type="application/ld+json"> element; <, > and & are escaped inside strings."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')
