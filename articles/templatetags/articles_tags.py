import re
from urllib.parse import quote, urlencode

from django import template
from django.conf import settings
from django.template.defaultfilters import pluralize
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from articles import metadata
from articles.models import slug_url
from articles.querystrings import without_tracking
from articles.sanitize import sanitize_body
from articles.search import highlight
from articles.tags import has_usable_slug
from articles.text import strip_control_characters

register = template.Library()

# The article page's view count, marked so that a cached copy of the page can have the fresh
# number put in (articles/caching.py); the first match on the page is the one in its header.
VIEW_COUNT_SLOT = re.compile(r'<span class="views" data-view-count>[^<]*</span>')


def render_view_count(count: int) -> str:
    return format_html(
        '<span class="views" data-view-count>{} view{}</span>', count, pluralize(count)
    )


@register.simple_tag
def view_count(article):
    """The "N views" label of the article page (one template for cached and fresh pages)."""
    return render_view_count(article.view_count)


@register.simple_tag
def share_links(article):
    """Plain share links: each opens the network's own share page; no script of theirs loads."""
    url = metadata.absolute(article.get_absolute_url())
    title = article.headline
    return [
        {
            "label": "Email",
            "url": "mailto:?" + urlencode({"subject": title, "body": url}, quote_via=quote),
        },
        {
            "label": "X",
            "url": "https://twitter.com/intent/tweet?" + urlencode({"url": url, "text": title}),
        },
        {
            "label": "Facebook",
            "url": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        },
        {
            "label": "LinkedIn",
            "url": "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        },
    ]


@register.simple_tag
def absolute_url(path):
    """``path`` as an absolute URL on the site's origin (SITE_URL)."""
    return metadata.absolute(path)


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's address without stray query parameters; page 2 onwards keeps ?page=N."""
    request = context.get("request")
    if request is None:
        return ""
    url = metadata.absolute(request.path)
    page = context.get("page_obj")
    if page is not None and page.number > 1:
        url += f"?page={page.number}"
    return url


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """This list's URL at page ``number``, keeping the other parameters (search, filters)."""
    request = context["request"]
    # Click tracking is one reader's: the cached page these links are printed on is everyone's.
    params = [
        (name, value)
        for name, values in without_tracking(request.GET.lists())
        if name != "page"
        for value in values
    ]
    if number != 1:
        params.append(("page", number))
    query = urlencode(params)
    return f"{request.path}?{query}" if query else request.path


def _page_summary(context):
    """(title, description) of a home, section, author or tag page."""
    site = settings.NEWSROOM_SITE_NAME
    if context.get("section"):
        section = context["section"]
        title = section.name
        description = section.description or f"The latest {section.name} stories from {site}."
    elif context.get("author"):
        author = context["author"]
        title, description = author.name, author.bio or f"Stories by {author.name} for {site}."
    elif context.get("tag"):
        title = context["tag"].name
        description = f"Stories tagged {title} from {site}."
    else:
        title, description = site, f"The latest stories from the {site} desk."
    return title, Truncator(" ".join(description.split())).chars(metadata.DESCRIPTION_LENGTH)


@register.simple_tag(takes_context=True)
def page_description(context):
    return _page_summary(context)[1]


@register.inclusion_tag("includes/_social_meta.html", takes_context=True)
def page_social_meta(context):
    """OpenGraph and Twitter card for the home, section, author and tag pages."""
    request = context.get("request")
    if request is None:
        return {}
    title, description = _page_summary(context)
    image = metadata.DEFAULT_IMAGE
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "title": title,
        "description": description,
        "url": canonical_url(context),
        "image": {
            "url": metadata.absolute(static(image["path"])),
            "width": image["width"],
            "height": image["height"],
        },
    }


@register.inclusion_tag("articles/_article_meta.html", takes_context=True)
def article_meta(context, article, comments=None):
    """Canonical URL, description, OpenGraph, Twitter card and NewsArticle JSON-LD (with the
    readers' ``comments`` when the page shows them)."""
    crumbs = [("Home", reverse("articles:home"))]
    if article.section_id:
        crumbs.append((article.section.name, article.section.get_absolute_url()))
    crumbs.append((article.headline, article.get_absolute_url()))
    return {
        "article": article,
        "site_name": settings.NEWSROOM_SITE_NAME,
        "canonical": metadata.absolute(article.get_absolute_url()),
        "description": metadata.description(article),
        "social_title": metadata.social_title(article),
        "social_description": metadata.social_description(article),
        "image": metadata.social_image(article),
        "authors": [
            metadata.absolute(author.get_absolute_url()) for author in article.authors.all()
        ],
        "article_json_ld": metadata.json_ld(metadata.news_article(article, comments)),
        "breadcrumbs_json_ld": metadata.json_ld(metadata.breadcrumb_list(crumbs)),
    }


@register.filter
def page_title(article):
    """The article page's <title>, before the site's name (articles/metadata.py)."""
    return metadata.page_title(article)


@register.simple_tag
def breadcrumbs_json_ld(*names_and_paths):
    """BreadcrumbList JSON-LD from name, path, name, path... (Home comes first by itself)."""
    pairs = list(zip(names_and_paths[::2], names_and_paths[1::2], strict=True))
    crumbs = [("Home", reverse("articles:home")), *pairs]
    return metadata.json_ld(metadata.breadcrumb_list(crumbs))


@register.simple_tag
def website_json_ld():
    return metadata.json_ld(metadata.website())


@register.simple_tag
def profile_json_ld(author):
    return metadata.json_ld(metadata.profile_page(author))


@register.simple_tag
def excerpt(article, query):
    """The summary, or for a search the passage of the story that matched, matches marked."""
    if not query:
        return article.summary
    return highlight(f"{article.dek} {article.body}", query)


@register.filter
def byline(authors):
    """ "A", "A and B", "A, B and C"."""
    names = [author.name for author in authors]
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


@register.filter
def iso(value):
    """An aware datetime as ISO 8601 in the site's time zone, to the second.

    What <time datetime>, sitemaps and page metadata want: HTML allows at most three digits of
    a second's fraction, so the microseconds Django stores are dropped.
    """
    return metadata.iso_datetime(value) if value else ""


@register.filter
def xml_text(value):
    """Text for an XML document (sitemaps): without the control characters XML cannot carry."""
    return strip_control_characters(str(value))


@register.filter
def sanitized(body):
    """A stored body cleaned again as it is printed, however the row was written."""
    return mark_safe(sanitize_body(body))


@register.filter
def tag_url(tag):
    """The tag's page, or "" for a tag stored without a usable slug (printed unlinked)."""
    if not has_usable_slug(tag.slug or ""):
        return ""
    try:
        return slug_url("articles:tag", tag.slug)
    except NoReverseMatch:
        return ""
