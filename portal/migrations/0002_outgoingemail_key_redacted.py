from django.db import migrations, models

# allauth's emails that carry a key or a link that logs in, resets or confirms.
KEY_KINDS = [
    "password_reset_key",
    "password_reset_code",
    "email_confirmation",
    "email_confirmation_signup",
    "login_code",
]


def redact_stored_keys(apps, schema_editor):
    """Keys already written in the outbox are erased: nobody may read them again."""
    OutgoingEmail = apps.get_model("portal", "OutgoingEmail")
    OutgoingEmail.objects.filter(kind__in=KEY_KINDS).update(
        body_text="[redacted]", body_html="", key_redacted=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="outgoingemail",
            name="key_redacted",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "The email carried a login, reset or confirmation key: it was sent from "
                    "memory and its body was never stored."
                ),
                verbose_name="one-time key not kept",
            ),
        ),
        migrations.RunPython(redact_stored_keys, migrations.RunPython.noop),
    ]
