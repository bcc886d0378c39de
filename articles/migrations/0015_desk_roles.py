"""What the Reporter and Editor groups may do with fronts, banners, redirects and notes.

Editors arrange fronts, run the banner and keep redirects; reporters see them. Re-running the
forward step is harmless, as in 0003.
"""

import importlib

from django.db import migrations

REPORTER = [
    "view_front",
    "view_zone",
    "view_pin",
    "view_breakingnews",
    "view_redirect",
    "view_editorialnote",
    "add_editorialnote",
]
EDITOR = REPORTER + [
    f"{action}_{model}"
    for model in ("front", "zone", "pin", "breakingnews", "redirect")
    for action in ("add", "change", "delete")
]


def grant(apps, schema_editor):
    roles = importlib.import_module("articles.migrations.0003_editorial_roles")
    roles.make_groups(apps, schema_editor)  # the permissions and groups exist from here on
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Reporter", REPORTER), ("Editor", EDITOR)):
        group = Group.objects.get(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0014_desk")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
