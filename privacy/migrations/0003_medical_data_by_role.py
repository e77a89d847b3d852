"""Who sees children's medical data: « Inscriptions » prepares the rosters coordinators take
to the camps (allergies and medical notes included); « Administration » reads health forms.
« Animation » sees only the flags of its own groups' children, on the attendance pages that
its attendance permission opens: every other group's medical data stays closed to it."""

from django.db import migrations

MEDICAL = ("health", "view_medical_data")
FORMS = ("health", "view_healthform")
GRANTS = {"Inscriptions": [MEDICAL], "Administration": [MEDICAL, FORMS]}
WITHDRAWN = {"Animation": [MEDICAL, FORMS]}


def _permissions(apps, pairs):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in pairs
    ]


def apply(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, pairs in GRANTS.items():
        Group.objects.get_or_create(name=name)[0].permissions.add(*_permissions(apps, pairs))
    for name, pairs in WITHDRAWN.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, pairs))


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0002_privacy_permissions"),
        ("camp", "0003_animation_attendance_only"),
    ]

    operations = [migrations.RunPython(apply, migrations.RunPython.noop)]
