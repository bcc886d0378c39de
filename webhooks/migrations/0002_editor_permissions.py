"""Editors manage webhook endpoints and read the delivery log (see articles 0003 for the groups)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = [
    "add_webhookendpoint",
    "change_webhookendpoint",
    "delete_webhookendpoint",
    "view_webhookendpoint",
    "view_webhookevent",
    "view_webhookdelivery",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("webhooks")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Editor"):
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="webhooks", codename__in=EDITOR)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Editor"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="webhooks", codename__in=EDITOR)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
        ("articles", "0003_editorial_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
