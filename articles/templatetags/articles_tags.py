import re
from urllib.parse import quote, urlencode

from django import template
from django.conf import settings
from django.template.defaultfilters import pluralize
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from articles import metadata
from articles.search import highlight

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


@register.simple_tag(takes_context=True)
def share_links(context, article):
    """Plain share links: each opens the network's own share page; no script of theirs loads."""
    url = context["request"].build_absolute_uri(article.get_absolute_url())
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


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    """``path`` as an absolute URL on the host the reader asked for."""
    return context["request"].build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's address without stray query parameters; page 2 onwards keeps ?page=N."""
    request = context.get("request")
    if request is None:
        return ""
    url = request.build_absolute_uri(request.path)
    page = context.get("page_obj")
    if page is not None and page.number > 1:
        url += f"?page={page.number}"
    return url


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """This list's URL at page ``number``, keeping the other parameters (search, filters)."""
    request = context["request"]
    params = request.GET.copy()
    params.pop("page", None)
    if number != 1:
        params["page"] = number
    query = params.urlencode()
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
            "url": request.build_absolute_uri(static(image["path"])),
            "width": image["width"],
            "height": image["height"],
        },
    }


@register.inclusion_tag("articles/_article_meta.html", takes_context=True)
def article_meta(context, article):
    """Canonical URL, description, OpenGraph, Twitter card and NewsArticle JSON-LD."""
    request = context["request"]
    crumbs = [("Home", reverse("articles:home"))]
    if article.section_id:
        crumbs.append((article.section.name, article.section.get_absolute_url()))
    crumbs.append((article.headline, article.get_absolute_url()))
    return {
        "article": article,
        "site_name": settings.NEWSROOM_SITE_NAME,
        "canonical": request.build_absolute_uri(article.get_absolute_url()),
        "description": metadata.description(article),
        "social_title": metadata.social_title(article),
        "social_description": metadata.social_description(article),
        "image": metadata.social_image(request, article),
        "authors": [
            request.build_absolute_uri(author.get_absolute_url())
            for author in article.authors.all()
        ],
        "article_json_ld": metadata.json_ld(metadata.news_article(request, article)),
        "breadcrumbs_json_ld": metadata.json_ld(metadata.breadcrumb_list(request, crumbs)),
    }


@register.filter
def page_title(article):
    """The article page's <title>, before the site's name (articles/metadata.py)."""
    return metadata.page_title(article)


@register.simple_tag(takes_context=True)
def breadcrumbs_json_ld(context, *names_and_paths):
    """BreadcrumbList JSON-LD from name, path, name, path... (Home comes first by itself)."""
    pairs = list(zip(names_and_paths[::2], names_and_paths[1::2], strict=True))
    crumbs = [("Home", reverse("articles:home")), *pairs]
    return metadata.json_ld(metadata.breadcrumb_list(context["request"], crumbs))


@register.simple_tag(takes_context=True)
def website_json_ld(context):
    return metadata.json_ld(metadata.website(context["request"]))


@register.simple_tag(takes_context=True)
def profile_json_ld(context, author):
    return metadata.json_ld(metadata.profile_page(context["request"], author))


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
