"""Text rules shared by every way text enters the site: admin forms, the importer and the API.

Plain functions with no database, so the parser and the tests can call them directly.
"""

import re

from django.utils.text import slugify

# C0 controls except tab, line feed and carriage return; DEL; C1 controls. None of them is
# printable, several are invalid in XML (feeds and sitemaps), and they can hide text from readers.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# A slug in any script: letters, digits, "_" and "-" as Unicode defines them, which is what
# slugify(allow_unicode=True) produces. The URL converter and the model fields accept exactly this.
SLUG_PATTERN = r"[-\w]+"


def strip_control_characters(text: str) -> str:
    """`text` without control characters (tab and line breaks are kept)."""
    return CONTROL_CHARACTERS.sub("", text)


def make_slug(value: str, *, max_length: int, fallback: str) -> str:
    """A URL slug for `value` in its own script ("북한-미사일", "россия", "café").

    Unicode slugs rather than a transliteration: a Korean or Russian reader sees their own words
    in the address bar, browsers show them decoded, and no romanisation table has to be chosen
    (there are several for Hangul and Cyrillic, and each misspells some names). A value with no
    letter or digit at all ("!!!") gets `fallback`, which the caller keeps unique.
    """
    slug = slugify(strip_control_characters(value), allow_unicode=True)[:max_length].strip("-_")
    return slug or fallback
