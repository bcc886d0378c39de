"""What search engines and link previews read: schema.org JSON-LD and OpenGraph/Twitter tags.

Every URL in page metadata is absolute, on the site's one configured origin (``SITE_URL``),
never on the host or scheme a request happened to use: one story has one address.
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


def absolute(path: str) -> str:
    """``path`` on the site's origin; a URL that is already absolute (S3 media) is kept."""
    if path.startswith(("https://", "http://")):
        return path
    if path.startswith("//"):  # scheme-relative: the site's own scheme
        return settings.SITE_URL.split(":", 1)[0] + ":" + path
    return settings.SITE_URL + path


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


def social_image(article) -> dict:
    """The shared card's picture: the social image when it has a photo, else article_image."""
    credit = article.social_image
    if credit is not None and credit.image and not credit.licence_has_ended():
        return _credit_image(credit)
    return article_image(article)


def _credit_image(credit) -> dict:
    """A photo credit's picture: its 16:9 crop (1,200 px wide at most) rather than the upload,
    which may be megabytes; ``crops`` are the 16:9, 4:3 and 1:1 crops for JSON-LD."""
    crops = [{**crop, "url": absolute(crop["url"])} for crop in credit.picture.crops.values()]
    shown = (
        crops[0]
        if crops
        else {
            "url": absolute(credit.image.url),
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


def article_image(article) -> dict:
    """The story's lead photo (see _credit_image), or the site's share image when it has none
    it may show (``Article.lead_photo``)."""
    credit = article.lead_photo
    if credit is not None and credit.image:
        return _credit_image(credit)
    return {
        "url": absolute(static(DEFAULT_IMAGE["path"])),
        "width": DEFAULT_IMAGE["width"],
        "height": DEFAULT_IMAGE["height"],
        "alt": site_name(),
        "caption": "",
        "own": False,
        "crops": [],
    }


def publisher() -> dict:
    return {
        "@type": "NewsMediaOrganization",
        "name": site_name(),
        "url": absolute(reverse("articles:home")),
        "logo": {
            "@type": "ImageObject",
            "url": absolute(static(LOGO["path"])),
            "width": LOGO["width"],
            "height": LOGO["height"],
        },
    }


def person(author) -> dict:
    return {
        "@type": "Person",
        "name": author.name,
        "url": absolute(author.get_absolute_url()),
    }


def news_article(article, comments=None) -> dict:
    """schema.org NewsArticle: what Google's article rich results read, with the readers'
    published ``comments`` (oldest first) when the page shows them."""
    url = absolute(article.get_absolute_url())
    image = article_image(article)
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
        "author": [person(author) for author in article.authors.all()],
        "publisher": publisher(),
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
    if comments is not None:
        data["commentCount"] = len(comments)
        data["comment"] = [reader_comment(url, comment) for comment in comments]
    return data


def reader_comment(article_url: str, comment) -> dict:
    """schema.org Comment: the reader's name, words and time; never their email address."""
    return {
        "@type": "Comment",
        "url": f"{article_url}#{comment.anchor}",
        "text": comment.comment,
        "dateCreated": iso_datetime(comment.submit_date),
        "author": {"@type": "Person", "name": comment.user_name},
    }


def breadcrumb_list(crumbs) -> dict:
    """schema.org BreadcrumbList from [(name, path)], home first."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": absolute(path),
            }
            for position, (name, path) in enumerate(crumbs, start=1)
        ],
    }


def website() -> dict:
    """schema.org WebSite with its search, and the organisation behind it, for the home page."""
    home = absolute(reverse("articles:home"))
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": site_name(),
        "url": home,
        "publisher": publisher(),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": absolute(reverse("articles:search")) + "?q={search_term}",
            },
            "query-input": "required name=search_term",
        },
    }


def profile_page(author) -> dict:
    """schema.org ProfilePage for an author's page."""
    data = person(author)
    if author.bio:
        data["description"] = author.bio
    if picture := author.picture:
        # The square crop suits a portrait; photos stored before the crops give the rendition.
        square = picture.crops.get("1x1")
        data["image"] = absolute(square["url"] if square else picture.src)
    return {"@context": "https://schema.org", "@type": "ProfilePage", "mainEntity": data}


def json_ld(data) -> SafeString:
    """A <script type="application/ld+json"> element; <, > and & are escaped inside strings."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')
