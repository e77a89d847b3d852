# The family-pricing rank and reduction frozen on each line (registrations.pricing).

from decimal import Decimal

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0003_receipts"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="family_rank",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="child's rank that week"
            ),
        ),
        migrations.AddField(
            model_name="registration",
            name="family_reduction",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                max_digits=8,
                verbose_name="family-pricing reduction",
            ),
        ),
        migrations.AddConstraint(
            model_name="registration",
            constraint=models.CheckConstraint(
                condition=models.Q(("family_reduction__gte", 0)),
                name="registration_family_reduction_not_negative",
            ),
        ),
    ]
