"""Writing down old addresses as the desk renames and removes things.

When a live article's slug changes, or a section's, author's or tag's, each of its public
addresses (the page and its feeds) is recorded as leading to the new one; an article deleted
after it had been published leaves its address answering "410 Gone". Chains are kept short (a
story renamed twice sends both old addresses straight to the newest), and an address that is
live again (renamed back) is no longer redirected.

Signals rather than the admin: slugs change from the admin, the importer and the shell alike,
and none of them should have to remember this.
"""

from __future__ import annotations

from urllib.parse import unquote

from django.db.models.signals import post_save, pre_delete, pre_save
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Section
from articles.redirects.models import Redirect

# The public addresses of each kind of page, by URL name.
ADDRESSES = {
    Article: (Redirect.Kind.ARTICLE, ("articles:detail",)),
    Section: (
        Redirect.Kind.SECTION,
        ("articles:section", "articles:section_feed", "articles:section_feed_atom"),
    ),
    Author: (
        Redirect.Kind.AUTHOR,
        ("articles:author", "articles:author_feed", "articles:author_feed_atom"),
    ),
    Tag: (Redirect.Kind.TAG, ("articles:tag", "articles:tag_feed", "articles:tag_feed_atom")),
}


def addresses(model, slug: str) -> list[str]:
    paths = []
    for name in ADDRESSES[model][1]:
        try:
            paths.append(unquote(reverse(name, kwargs={"slug": slug})))
        except NoReverseMatch:  # a slug the URL pattern does not accept has no address
            pass
    return paths


def record_move(old: str, new: str, *, kind: str) -> None:
    """``old`` now answers 301 to ``new``."""
    if old == new:
        return
    Redirect.objects.filter(old_path=new).delete()  # live again
    Redirect.objects.filter(new_path=old).update(new_path=new)  # no chains
    Redirect.objects.update_or_create(old_path=old, defaults={"new_path": new, "kind": kind})


def record_removal(path: str) -> None:
    """``path`` now answers 410 Gone, and so do the addresses that led to it."""
    Redirect.objects.filter(new_path=path).update(new_path="")
    Redirect.objects.update_or_create(
        old_path=path, defaults={"new_path": "", "kind": Redirect.Kind.REMOVED}
    )


def address_is_live(path: str) -> None:
    """An article is live at ``path``: nothing recorded there may shadow or answer for it."""
    Redirect.objects.filter(old_path=path).delete()


def _was_public(model, row: dict) -> bool:
    if model is not Article:
        return True
    return (
        row["status"] == Article.Status.PUBLISHED
        and row["published_at"] is not None
        and row["published_at"] <= timezone.now()
    )


def _before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._address_before = None
    if raw or instance.pk is None or (update_fields is not None and "slug" not in update_fields):
        return
    fields = ["slug", "status", "published_at"] if sender is Article else ["slug"]
    row = sender._default_manager.filter(pk=instance.pk).values(*fields).first()
    if row is not None and row["slug"] != instance.slug and _was_public(sender, row):
        instance._address_before = row["slug"]


def _after_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    old_slug = getattr(instance, "_address_before", None)
    instance._address_before = None
    kind = ADDRESSES[sender][0]
    if old_slug:
        for old, new in zip(
            addresses(sender, old_slug), addresses(sender, instance.slug), strict=True
        ):
            record_move(old, new, kind=kind)
    elif sender is Article and instance.is_published():
        address_is_live(instance.get_absolute_url())


def _article_deleted(sender, instance, **kwargs):
    if instance.published_at is not None and instance.published_at <= timezone.now():
        for path in addresses(Article, instance.slug):
            record_removal(path)


def connect() -> None:
    """Called once from the app's ready()."""
    for model in ADDRESSES:
        uid = f"redirects-{model._meta.label_lower}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
        post_save.connect(_after_save, sender=model, dispatch_uid=uid)
    pre_delete.connect(_article_deleted, sender=Article, dispatch_uid="redirects-removed")
