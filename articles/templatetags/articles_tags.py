from urllib.parse import quote, urlencode

from django import template

register = template.Library()


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
