"""Tags readers can follow whatever their name.

django-taggit makes a tag's slug with ``slugify(allow_unicode=True)``: "Café", "Россия" and
"북한" keep their letters, but a name with none ("!!!") gets an empty slug and so no URL,
which took down every page linking it. Such a tag gets ``tag``, ``tag-2``, ... instead.
"""

from django.db.models.signals import pre_save
from django.dispatch import receiver
from taggit.models import Tag

from articles.text import make_slug

FALLBACK_SLUG = "tag"


def has_usable_slug(slug: str) -> bool:
    return bool(slug.strip("-_"))


def fallback_slug(name: str, *, taken) -> str:
    """A slug for a tag whose name gives none, not among ``taken``."""
    slug = make_slug(name, max_length=90, fallback=FALLBACK_SLUG)
    candidate, number = slug, 1
    while candidate in taken:
        number += 1
        candidate = f"{slug}-{number}"
    return candidate


@receiver(pre_save, sender=Tag, dispatch_uid="articles-tag-slug")
def _give_tag_a_slug(sender, instance, raw=False, **kwargs):
    if raw or has_usable_slug(instance.slug or ""):
        return
    taken = set(
        Tag.objects.filter(slug__startswith=FALLBACK_SLUG)
        .exclude(pk=instance.pk)
        .values_list("slug", flat=True)
    )
    instance.slug = fallback_slug(instance.name, taken=taken)
