"""A receipt as a PDF, from the same ``ReceiptData`` as its page (``portal.pdf``)."""

from django.utils import formats
from django.utils.translation import gettext as _

from portal.pdf import new_document
from portal.templatetags.money import format_money
from portal.words import colon

from .receipts import ReceiptData


def receipt_pdf(data: ReceiptData) -> bytes:
    document = new_document(title=f"{data.title} {data.number}")
    pdf, family, clean, line = document.pdf, document.family, document.clean, document.line
    line(data.municipality_name, size=13, bold=True, height=7)
    line(data.municipality_address)
    line(data.municipality_contact)
    pdf.ln(4)
    line(f"{data.title} {data.number}", size=15, bold=True, height=8)
    line(
        _("Issued on %(date)s")
        % {"date": formats.date_format(data.issued_at, "SHORT_DATETIME_FORMAT")}
    )
    line(_("Order %(number)s") % {"number": data.order_number})
    pdf.ln(3)
    line(_("Payer"), bold=True)
    line(data.payer)
    line(data.payer_address)
    line(data.payer_email)
    pdf.ln(3)
    headers = (_("Child"), _("Activity"), _("Week"), _("Dates"), _("Site"), _("Price"))
    with pdf.table(col_widths=(30, 40, 42, 34, 30, 20), text_align="LEFT", line_height=5) as t:
        row = t.row()
        pdf.set_font(family, "B", 9)
        for text in headers:
            row.cell(clean(text))
        pdf.set_font(family, "", 9)
        for item in data.lines:
            row = t.row()
            dates = "{} – {}".format(
                formats.date_format(item.starts_on, "SHORT_DATE_FORMAT"),
                formats.date_format(item.ends_on, "SHORT_DATE_FORMAT"),
            )
            for text in (
                item.child,
                f"{item.activity} ({item.kind})",
                item.week,
                dates,
                item.site,
                price_text(item),
            ):
                row.cell(clean(text))
    pdf.ln(3)
    label = _("Amount refunded") if data.is_refund else _("Amount paid")
    line(f"{label} : {format_money(data.amount)}", size=12, bold=True, height=7)
    line(_("Payment method: %(method)s") % {"method": data.method})
    line(_("Payment reference: %(reference)s") % {"reference": data.reference})
    if data.taxes:
        for tax in data.taxes:
            line(
                _("%(name)s (%(rate)s %%, no. %(number)s) included: %(amount)s")
                % {
                    "name": tax.name,
                    "rate": tax.rate,
                    "number": tax.number,
                    "amount": format_money(tax.amount),
                }
            )
    else:
        line(_("No taxes: these services are exempt."))
    pdf.ln(3)
    line(_("Refund policy"), bold=True)
    for policy in data.refund_policies:
        line(policy, size=9)
    return bytes(pdf.output())


def price_text(item) -> str:
    """The line's price, with its family-pricing reduction under it when there is one."""
    if not item.reduction:
        return format_money(item.price)
    reduction = f"{item.reduction_label}{colon()} −{format_money(item.reduction)}"
    return f"{format_money(item.price)}\n{reduction}"
