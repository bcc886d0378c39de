import re
from urllib.parse import quote, urlencode

from django import template
from django.template.defaultfilters import pluralize
from django.utils.html import format_html

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
