"""The camp's staff pages for the roles that run the summer: « Inscriptions » (group pages,
messages to families, attendance of any group when a monitor is missing) and
« Administration » (the season dashboard). « Animation » keeps its own groups' attendance."""

from django.db import migrations

GRANTS = {
    "Inscriptions": [
        ("camp", "view_grouppage"),
        ("camp", "send_family_message"),
        ("camp", "take_any_attendance"),
        ("camp", "view_season_dashboard"),
    ],
    "Administration": [("camp", "view_grouppage"), ("camp", "view_season_dashboard")],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, pairs in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *[
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in pairs
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("camp", "0003_animation_attendance_only"),
        ("accounts", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
