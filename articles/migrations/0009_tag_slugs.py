from django.db import migrations


def give_empty_tag_slugs_one(apps, schema_editor):
    """Tags saved with an empty slug (a name like "!!!") get tag, tag-2, ..."""
    from articles.tags import fallback_slug, has_usable_slug

    Tag = apps.get_model("taggit", "Tag")
    taken = set(Tag.objects.values_list("slug", flat=True))
    for tag in Tag.objects.order_by("pk"):
        if not has_usable_slug(tag.slug):
            tag.slug = fallback_slug(tag.name, taken=taken)
            taken.add(tag.slug)
            tag.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_page_cache_outbox"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(give_empty_tag_slugs_one, migrations.RunPython.noop)]
