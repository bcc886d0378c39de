"""Writes move the tokens of what they touched: model signals, and ``track`` for other models."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_delete
from taggit.models import Tag, TaggedItem

from articles.caching.policy import (
    AUTHOR_LIST,
    LATEST,
    SECTION_LIST,
    SECTIONS,
    TAG_LIST,
    article_token,
    author_token,
    credit_token,
    tag_token,
)
from articles.caching.versions import invalidate
from articles.models import Article, Author, Byline, ImageCredit, Section

_TRACKED: dict[type[models.Model], Callable[[models.Model], Iterable[str]]] = {}


def track(model: type[models.Model], tokens: Callable[[models.Model], Iterable[str]]) -> None:
    """Invalidate ``tokens(instance)`` when a ``model`` row is saved or deleted.

    A page showing an instance of ``model`` also depends on ``tokens(instance)``. For example,
    for corrections printed on the article page:
    ``track(Correction, lambda correction: [article_token(correction.article_id)])``.
    """
    _TRACKED[model] = tokens
    uid = f"page-cache-{model._meta.label_lower}"
    post_save.connect(_tracked_changed, sender=model, dispatch_uid=uid)
    post_delete.connect(_tracked_changed, sender=model, dispatch_uid=uid)


def tracked_tokens(instance: models.Model) -> Iterable[str]:
    tokens = _TRACKED.get(type(instance))
    return tokens(instance) if tokens is not None else ()


def _tracked_changed(sender, instance, raw=False, **kwargs):
    if raw:
        _fixture_loaded()
        return
    invalidate(_TRACKED[sender](instance))


def _fixture_loaded() -> None:
    # loaddata writes raw rows whose relations may not be complete yet: every page shows the
    # navigation, so moving its token takes every page out, once, when the load commits.
    invalidate([SECTIONS], schedule_changed=True)


def article_tokens(article: Article, *, with_relations: bool = True) -> set[str]:
    """The article and every list it is on: home, its section, its tags and its authors."""
    slug = None
    if article.section_id:
        section = Article.section.field.get_cached_value(article, None)
        slug = (
            section.slug
            if section is not None and section.pk == article.section_id
            else Section.objects.filter(pk=article.section_id)
            .values_list("slug", flat=True)
            .first()
        )
    tokens = _own_tokens(article.pk, slug)
    if with_relations and article.pk:
        tokens |= _list_tokens_of_relations([article.pk])
    return tokens


def _own_tokens(pk, section_slug: str | None) -> set[str]:
    """The article's page, the latest stories and its section's list."""
    tokens = {article_token(pk), LATEST}
    if section_slug:
        tokens.add(SECTION_LIST.format(slug=section_slug))
    return tokens


def _list_tokens_of_relations(article_pks) -> set[str]:
    """The author and tag lists these articles are on: one query for each, however many."""
    authors = Author.objects.filter(byline__article__in=article_pks).values_list("slug", flat=True)
    tags = Tag.objects.filter(
        taggit_taggeditem_items__content_type=ContentType.objects.get_for_model(Article),
        taggit_taggeditem_items__object_id__in=article_pks,
    ).values_list("slug", flat=True)
    return {AUTHOR_LIST.format(slug=slug) for slug in authors.distinct()} | {
        TAG_LIST.format(slug=slug) for slug in tags.distinct()
    }


def articles_changed(pks: Iterable[int], *, new: Iterable[int] = ()) -> None:
    """For writes that bypass model signals (bulk_create, queryset.update) on these articles.

    ``new``: those first written in this transaction. No page of their own can be cached yet,
    so only the lists they join move: an import of a thousand stories would otherwise add a
    thousand versions to the cache.
    """
    new = set(new)
    # Ids and section slugs only: the tokens need no more, and an import passes whole batches.
    rows = list(Article.objects.filter(pk__in=set(pks) | new).values_list("pk", "section__slug"))
    tokens: set[str] = set()
    for pk, section_slug in rows:
        tokens |= _own_tokens(pk, section_slug)
        if pk in new:
            tokens.discard(article_token(pk))
    if rows:
        tokens |= _list_tokens_of_relations([pk for pk, _ in rows])
    invalidate(tokens, schedule_changed=True)


def _article_saved(sender, instance, created, raw, **kwargs):
    if raw:
        _fixture_loaded()
        return
    # A new article has no byline or tags yet; they arrive with their own signals.
    invalidate(article_tokens(instance, with_relations=not created), schedule_changed=True)


def _article_deleted(sender, instance, **kwargs):
    invalidate(article_tokens(instance), schedule_changed=True)


def _byline_changed(sender, instance, raw=False, **kwargs):
    if raw:
        _fixture_loaded()
        return
    cached_author = Byline.author.field.get_cached_value(instance, None)
    slug = (
        cached_author.slug
        if cached_author is not None
        else Author.objects.filter(pk=instance.author_id).values_list("slug", flat=True).first()
    )
    invalidate(
        [article_token(instance.article_id)] + ([AUTHOR_LIST.format(slug=slug)] if slug else [])
    )


def _tagged_item_changed(sender, instance, raw=False, **kwargs):
    if raw:
        _fixture_loaded()
        return
    if instance.content_type_id != ContentType.objects.get_for_model(Article).pk:
        return
    cached_tag = TaggedItem.tag.field.get_cached_value(instance, None)
    slug = (
        cached_tag.slug
        if cached_tag is not None
        else Tag.objects.filter(pk=instance.tag_id).values_list("slug", flat=True).first()
    )
    invalidate([article_token(instance.object_id)] + ([TAG_LIST.format(slug=slug)] if slug else []))


def connect_signals() -> None:
    """Called once from the app's ready()."""
    post_save.connect(_article_saved, sender=Article, dispatch_uid="page-cache-article")
    pre_delete.connect(_article_deleted, sender=Article, dispatch_uid="page-cache-article")
    post_save.connect(_byline_changed, sender=Byline, dispatch_uid="page-cache-byline")
    post_delete.connect(_byline_changed, sender=Byline, dispatch_uid="page-cache-byline")
    post_save.connect(_tagged_item_changed, sender=TaggedItem, dispatch_uid="page-cache-tagged")
    post_delete.connect(_tagged_item_changed, sender=TaggedItem, dispatch_uid="page-cache-tagged")
    track(Author, lambda author: [author_token(author.pk)])
    track(Tag, lambda tag: [tag_token(tag.pk)])
    track(Section, lambda section: [SECTIONS])
    track(ImageCredit, lambda credit: [credit_token(credit.pk)])
    # Rails, and whatever else hangs off an article (corrections, galleries...), now or later.
    for model, fields in article_children().items():
        if model not in _TRACKED:
            track(model, functools.partial(_articles_of, fields=fields))


def article_children() -> dict[type[models.Model], list[str]]:
    """Models with a foreign key to Article, and those keys' columns (bylines aside)."""
    children: dict[type[models.Model], list[str]] = {}
    for relation in Article._meta.related_objects:
        model = relation.related_model
        if model is Byline or not (relation.one_to_many or relation.one_to_one):
            continue
        children.setdefault(model, []).append(relation.field.attname)
    return children


def _articles_of(instance: models.Model, *, fields: list[str]) -> list[str]:
    """The pages of the articles a child row points at: its article (and a rail's target)."""
    return [article_token(getattr(instance, f)) for f in fields if getattr(instance, f)]
