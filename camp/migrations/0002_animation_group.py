"""The « Animation » staff group: monitors take the attendance of their groups, nothing else."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ANIMATION = "Animation"


def create_animation_group(apps, schema_editor):
    # Permissions are normally created after all migrations; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=ANIMATION)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="camp", codename="take_attendance")
    )


def remove_animation_permission(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=ANIMATION).first()
    if group is not None:
        group.permissions.remove(
            *group.permissions.filter(content_type__app_label="camp", codename="take_attendance")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("camp", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_animation_group, remove_animation_permission)]
