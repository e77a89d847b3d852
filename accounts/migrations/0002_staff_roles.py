"""The clerks' roles, as Django groups holding exactly the permissions each job needs.

Frozen here on purpose (a migration must not change with the code): a new role or permission
is a new migration. The README's « Rôles du personnel » table describes the same lists.
"""

from django.db import migrations

ROLES: dict[str, list[tuple[str, str]]] = {
    # Front desk: approve or reject families, check residency, see families and persons.
    "Accueil": [
        ("accounts", "view_family"),
        ("accounts", "change_family"),
        ("accounts", "view_person"),
    ],
    # Registrations: waiting lists and offers, orders (read), rosters.
    "Inscriptions": [
        ("waitlist", "view_waitlistentry"),
        ("waitlist", "change_waitlistentry"),
        ("waitlist", "view_waitlistevent"),
        ("registrations", "view_order"),
        ("registrations", "view_registration"),
        ("activities", "view_season"),
        ("activities", "view_week"),
        ("activities", "view_activity"),
        ("activities", "view_group"),
        ("accounts", "view_family"),
        ("accounts", "view_person"),
    ],
    # Finance: cancel and refund orders, payments and provider events.
    "Finances": [
        ("registrations", "view_order"),
        ("registrations", "change_order"),
        ("registrations", "view_payment"),
        ("registrations", "view_registration"),
        ("registrations", "view_webhookevent"),
        ("accounts", "view_family"),
    ],
    # Camp staff: who comes to their groups (rosters with health notes), nothing else.
    "Animation": [
        ("registrations", "view_registration"),
        ("activities", "view_season"),
        ("activities", "view_week"),
        ("activities", "view_activity"),
        ("activities", "view_group"),
        ("accounts", "view_person"),
    ],
    # Catalogue and prices, and the outbox (emails carry children's data).
    "Administration": [
        *[
            ("activities", f"{action}_{model}")
            for model in ("season", "week", "activity", "group")
            for action in ("add", "change", "delete", "view")
        ],
        ("portal", "view_outgoingemail"),
        ("portal", "change_outgoingemail"),
    ],
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # On a fresh database permissions are created only after every migration: make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in wanted
        ]
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("activities", "0001_initial"),
        ("registrations", "0001_initial"),
        ("waitlist", "0001_initial"),
        ("portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
