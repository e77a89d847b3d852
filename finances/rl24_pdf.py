"""The family's copy of its Relevé 24 as a PDF (fpdf2, as the receipts: ``receipt_pdf``)."""

from django.utils import formats
from django.utils.translation import gettext as _

from portal.pdf import new_document
from portal.words import format_money

from .rl24 import Rl24Slip, issuer


def rl24_pdf(slip: Rl24Slip) -> bytes:
    title = _("Relevé 24 — Childcare expenses")
    document = new_document(title=f"{title} {slip.year}")
    pdf, family, clean, line = document.pdf, document.family, document.clean, document.line
    line(f"{title} — {slip.year}", size=15, bold=True, height=8)
    line(
        _("Slip code: %(code)s — Slip number: %(number)s")
        % {"code": slip.code, "number": slip.number}
    )
    pdf.ln(3)
    town = issuer()
    line(_("Childcare provider"), bold=True)
    line(town["name"])
    line(town["address"])
    line(_("Identification number: %(number)s") % {"number": town["number"] or "—"})
    pdf.ln(3)
    line(_("Person who paid the childcare expenses"), bold=True)
    payer = slip.payer
    line(f"{payer.last_name}, {payer.first_name}")
    line(f"{payer.address}, {payer.city} {payer.postal_code}")
    line(_("Social insurance number: %(sin)s") % {"sin": payer.sin_formatted})
    pdf.ln(3)
    headers = (
        _("Child"),
        _("Birth date"),
        _("Days of care"),
        _("C: expenses paid"),
        _("D: not eligible"),
        _("E: eligible"),
    )
    with pdf.table(col_widths=(46, 30, 24, 32, 32, 32), text_align="LEFT", line_height=5) as t:
        row = t.row()
        pdf.set_font(family, "B", 9)
        for text in headers:
            row.cell(clean(text))
        pdf.set_font(family, "", 9)
        for child in slip.children:
            row = t.row()
            for text in (
                f"{child.person.last_name}, {child.person.first_name}",
                formats.date_format(child.person.birth_date, "SHORT_DATE_FORMAT"),
                str(child.days),
                format_money(child.paid),
                format_money(child.not_eligible),
                format_money(child.eligible),
            ):
                row.cell(clean(text))
    pdf.ln(3)
    line(
        _("Box C — childcare expenses paid in %(year)s: %(amount)s")
        % {"year": slip.year, "amount": format_money(slip.paid)},
        bold=True,
    )
    line(
        _("Box D — expenses not eligible for the credit: %(amount)s")
        % {"amount": format_money(slip.not_eligible)}
    )
    line(
        _("Box E — expenses eligible for the credit: %(amount)s")
        % {"amount": format_money(slip.eligible)},
        bold=True,
    )
    pdf.ln(3)
    line(
        _(
            "Amounts paid in the year, net of refunds. Bicycle transport is not childcare and "
            "is not included. Keep this slip with your tax records."
        ),
        size=9,
    )
    return bytes(pdf.output())
