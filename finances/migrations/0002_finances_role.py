"""« Finances » keeps the tax records: sees the RL-24 payers (the insurance number in clear),
sets when a year's slips open to families, and exports the slips and the journal of payments
and refunds. No other role gets these permissions. Frozen here: a change is a new migration.
"""

from django.db import migrations

GRANTS: dict[str, list[tuple[str, str]]] = {
    "Finances": [
        ("finances", "view_payerinfo"),
        ("finances", "view_sin"),
        ("finances", "export_rl24"),
        ("finances", "export_journal"),
        ("finances", "view_rl24release"),
        ("finances", "add_rl24release"),
        ("finances", "change_rl24release"),
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
        ("finances", "0001_initial"),
        ("accounts", "0002_staff_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
