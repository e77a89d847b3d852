# Family pricing per season (2nd child, 3rd and following; residents, non-residents).

from decimal import Decimal

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0004_camp_group_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="season",
            name="family_reduction_kind",
            field=models.CharField(
                choices=[
                    ("amount", "Amount off the week's price ($)"),
                    ("percent", "Percentage off the week's price (%)"),
                ],
                default="amount",
                help_text=(
                    "« 1 enfant 200 $, 2e enfant 175 $, 3e enfant 150 $ » is an amount off of 25 "
                    "and 50. Services (daycare, transport) are never reduced."
                ),
                max_length=8,
                verbose_name="family pricing: kind of reduction",
            ),
        ),
        migrations.AddField(
            model_name="season",
            name="second_child_reduction_resident",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                max_digits=8,
                verbose_name="2nd child's reduction (residents)",
            ),
        ),
        migrations.AddField(
            model_name="season",
            name="third_child_reduction_resident",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                max_digits=8,
                verbose_name="3rd and following children's reduction (residents)",
            ),
        ),
        migrations.AddField(
            model_name="season",
            name="second_child_reduction_nonresident",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                max_digits=8,
                verbose_name="2nd child's reduction (non-residents)",
            ),
        ),
        migrations.AddField(
            model_name="season",
            name="third_child_reduction_nonresident",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                max_digits=8,
                verbose_name="3rd and following children's reduction (non-residents)",
            ),
        ),
        migrations.AddConstraint(
            model_name="season",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("second_child_reduction_resident__gte", 0),
                    ("third_child_reduction_resident__gte", 0),
                    ("second_child_reduction_nonresident__gte", 0),
                    ("third_child_reduction_nonresident__gte", 0),
                ),
                name="season_family_reductions_not_negative",
                violation_error_message="A family-pricing reduction cannot be negative.",
            ),
        ),
        migrations.AddConstraint(
            model_name="season",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("family_reduction_kind", "percent"), _negated=True),
                    models.Q(
                        ("second_child_reduction_resident__lte", 100),
                        ("third_child_reduction_resident__lte", 100),
                        ("second_child_reduction_nonresident__lte", 100),
                        ("third_child_reduction_nonresident__lte", 100),
                    ),
                    _connector="OR",
                ),
                name="season_family_percentages_at_most_100",
                violation_error_message="A percentage off cannot be more than 100.",
            ),
        ),
    ]
