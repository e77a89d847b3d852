"""Staff exports of the finances app, as CSV through ``portal.spreadsheets`` (no cell can
run as a formula). Amounts are plain numbers (« 185.00 ») so a spreadsheet adds them up.

The RL-24 export is the one place outside the slip itself where the payer's social
insurance number appears in clear: it is what Revenu Québec's slip needs, and the view
that serves it requires ``finances.export_rl24`` (« Finances »).
"""

from collections.abc import Iterable
from typing import TextIO

from django.utils.translation import gettext as _

from portal.spreadsheets import SafeWriter

from .journal import JournalRow
from .rl24 import Rl24Slip, issuer


def write_rl24_csv(slips: Iterable[Rl24Slip], stream: TextIO) -> None:
    writer = SafeWriter(stream)
    writer.writerow(
        [
            _("Year"),
            _("Slip code"),
            _("Slip number"),
            _("Issuer number"),
            _("Family"),
            _("Payer's last name"),
            _("Payer's first name"),
            _("Payer's address"),
            _("City"),
            _("Postal code"),
            _("Social insurance number"),
            _("Child's last name"),
            _("Child's first name"),
            _("Child's birth date"),
            _("Days of care"),
            _("Box C: childcare expenses paid"),
            _("Box D: expenses not eligible"),
            _("Box E: eligible expenses"),
        ]
    )
    number = issuer()["number"]
    for slip in slips:
        payer = slip.payer
        for child in slip.children:
            writer.writerow(
                [
                    slip.year,
                    slip.code,
                    slip.number,
                    number,
                    slip.family.pk,
                    payer.last_name if payer else "",
                    payer.first_name if payer else "",
                    payer.address if payer else "",
                    payer.city if payer else "",
                    payer.postal_code if payer else "",
                    payer.sin if payer else _("missing"),
                    child.person.last_name,
                    child.person.first_name,
                    child.person.birth_date.isoformat(),
                    child.days,
                    child.paid,
                    child.not_eligible,
                    child.eligible,
                ]
            )


def write_journal_csv(rows: Iterable[JournalRow], stream: TextIO) -> None:
    writer = SafeWriter(stream)
    writer.writerow(
        [
            _("Date"),
            _("Time"),
            _("Kind"),
            _("Receipt"),
            _("Order"),
            _("Family"),
            _("Amount"),
            _("Currency"),
            _("Method"),
            _("Provider reference"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.at.date().isoformat(),
                row.at.strftime("%H:%M:%S"),
                row.kind_label,
                row.receipt,
                row.order,
                row.family,
                row.amount,
                row.currency,
                row.method,
                row.reference,
            ]
        )
