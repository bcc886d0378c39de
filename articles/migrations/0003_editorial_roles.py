"""The Reporter and Editor groups and their permissions (see articles/workflow.py).

Re-running the forward step is harmless: it adds what is missing and removes nothing an
administrator granted by hand.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REPORTER = {
    "articles": [
        "add_article",
        "change_article",
        "view_article",
        "add_byline",
        "change_byline",
        "delete_byline",
        "view_byline",
        "add_relatedstory",
        "change_relatedstory",
        "delete_relatedstory",
        "view_relatedstory",
        "add_imagecredit",
        "change_imagecredit",
        "view_imagecredit",
        "add_imagesource",
        "view_imagesource",
        "view_author",
        "view_section",
        "view_correction",
    ],
    "taggit": ["view_tag"],
}

EDITOR = {
    "articles": REPORTER["articles"]
    + [
        "publish_article",
        "edit_any_article",
        "delete_article",
        "delete_imagecredit",
        "change_imagesource",
        "add_author",
        "change_author",
        "add_section",
        "change_section",
        "add_correction",
    ],
    "taggit": ["view_tag", "add_tag", "change_tag"],
}


def make_groups(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist for this step.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in (("Reporter", REPORTER), ("Editor", EDITOR)):
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in grants.items():
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Reporter", "Editor"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_editorial_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(make_groups, remove_groups)]
