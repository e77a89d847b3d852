"""« Animation » takes the attendance of its groups, and nothing else: the staff roles
migration had also given it the rosters (every group's medical notes) and read access to
the catalogue, which monitors do not need (issue: no other groups' medical data)."""

from django.db import migrations


def attendance_only(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    animation = Group.objects.filter(name="Animation").first()
    if animation is not None:
        animation.permissions.set(
            Permission.objects.filter(content_type__app_label="camp", codename="take_attendance")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("camp", "0002_animation_group"),
        ("accounts", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(attendance_only, migrations.RunPython.noop)]
