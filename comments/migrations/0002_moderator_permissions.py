"""Editors moderate comments and open or close them per article; reporters cannot.

Re-running the forward step is harmless: it adds what is missing and removes nothing.
"""

from django.db import migrations

# (model, codename, name) as Django names them; they are made here because Django only
# creates permissions after the whole migrate has run.
EDITOR = [
    ("comment", "view_comment", "Can view comment"),
    ("comment", "change_comment", "Can change comment"),
    ("comment", "can_moderate", "Can moderate comments"),
    ("discussion", "view_discussion", "Can view article's comments"),
    ("discussion", "add_discussion", "Can add article's comments"),
    ("discussion", "change_discussion", "Can change article's comments"),
    ("trustedcommenter", "view_trustedcommenter", "Can view trusted commenter"),
    ("trustedcommenter", "add_trustedcommenter", "Can add trusted commenter"),
    ("trustedcommenter", "change_trustedcommenter", "Can change trusted commenter"),
    ("trustedcommenter", "delete_trustedcommenter", "Can delete trusted commenter"),
]


def grant_editors(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    editors, _ = Group.objects.get_or_create(name="Editor")
    for model, codename, name in EDITOR:
        content_type, _ = ContentType.objects.get_or_create(app_label="comments", model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        editors.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("articles", "0003_editorial_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_editors, migrations.RunPython.noop)]
