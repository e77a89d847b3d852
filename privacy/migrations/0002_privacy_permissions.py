"""Who may do what with personal information (Law 25), as permissions of the staff roles.

« Administration »: staff exports on request, the medical access log, the incident register
and the list of closures. « Accueil »: sees that a closure happened. « Animation »: the only
role whose job needs children's medical data (rosters' medical columns, health forms, notes).
Frozen here: a change is a new migration.
"""

from django.db import migrations

GRANTS: dict[str, list[tuple[str, str]]] = {
    "Administration": [
        ("privacy", "view_dataexport"),
        ("privacy", "add_dataexport"),
        ("privacy", "view_accountclosure"),
        ("privacy", "view_incident"),
        ("privacy", "add_incident"),
        ("privacy", "change_incident"),
        ("health", "view_medicalaccesslog"),
    ],
    "Accueil": [("privacy", "view_accountclosure")],
    "Animation": [
        ("health", "view_medical_data"),
        ("health", "view_healthform"),
    ],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *[
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
                for app_label, codename in wanted
            ]
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for app_label, codename in wanted:
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("health", "0002_access_log_what_and_why"),
        ("accounts", "0002_staff_roles"),
        ("camp", "0002_animation_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
