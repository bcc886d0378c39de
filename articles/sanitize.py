"""The one place that decides which HTML may reach a reader.

Article bodies come from scraped pages and from editors; both pass through here on every save,
so script, style, event attributes and ``javascript:`` URLs never get stored.
"""

import html
import re

import nh3
from django.utils.html import strip_tags

ALLOWED_TAGS = {
    "p",
    "br",
    "a",
    "em",
    "strong",
    "i",
    "b",
    "u",
    "s",
    "sub",
    "sup",
    "ul",
    "ol",
    "li",
    "blockquote",
    "q",
    "cite",
    "h2",
    "h3",
    "h4",
    "hr",
    "code",
    "pre",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "blockquote": {"cite"},
    "q": {"cite"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_body(markup: str) -> str:
    """Return ``markup`` reduced to the allowed tags, attributes and URL schemes."""
    if not markup:
        return ""
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def paragraphs_to_html(paragraphs: list[str] | tuple[str, ...]) -> str:
    """Plain-text paragraphs, as scraped, to escaped ``<p>`` markup."""
    return "\n".join(f"<p>{html.escape(text, quote=False)}</p>" for text in paragraphs)


_BLOCK_END = re.compile(r"(</(?:p|li|h\d|blockquote|pre)>|<br\s*/?>|<hr\s*/?>)", re.IGNORECASE)


def to_plain_text(markup: str) -> str:
    """Stored body HTML as the plain text a reader sees: tags gone, entities decoded.

    Block ends become spaces, so the last word of a paragraph never runs into the next one.
    """
    text = html.unescape(strip_tags(_BLOCK_END.sub(r"\1 ", markup or "")))
    return " ".join(text.split())
