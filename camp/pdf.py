"""The printable attendance sheet of a group's week (PDF), for days without a phone.

Fonts and page set-up: ``portal.pdf``.
"""

from datetime import date

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from portal.pdf import new_document

from .selectors import AttendanceSheet


def flags_text(row) -> str:
    flags = []
    if not row.flags.has_form:
        flags.append(_("NO HEALTH FORM"))
    if row.flags.allergy:
        form = row.flags.form
        flags.append(
            _("Allergy (%(severity)s): %(what)s")
            % {"severity": form.get_allergy_severity_display(), "what": form.allergies or "—"}
        )
    if row.flags.epinephrine:
        flags.append(_("EPINEPHRINE"))
    if row.flags.accompaniment:
        flags.append(_("Accompaniment"))
    return "; ".join(flags)


def attendance_sheet_pdf(*, sheet: AttendanceSheet, days: list[date]) -> bytes:
    document = new_document(title=_("Attendance sheet"), orientation="L", margin=12)
    pdf, family, clean = document.pdf, document.family, document.clean
    pdf.set_font(family, "B", 14)
    group = sheet.group
    pdf.cell(
        0,
        8,
        clean(f"{_('Attendance sheet')} — {group.activity.name}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(family, "", 10)
    pdf.cell(
        0,
        6,
        clean(
            f"{group.week.label} — {group.activity.site} — "
            + _("%(count)s children") % {"count": len(sheet.rows)}
            + " — "
            + _("printed on %(date)s")
            % {"date": formats.date_format(timezone.localtime(), "DATETIME_FORMAT")}
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    day_headers = [formats.date_format(day, "D j") for day in days]
    widths = (48, 10, 90, 50, *([16] * len(days)))
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=5) as table:
        header = table.row()
        for text in (_("Child"), _("Age"), _("Health flags"), _("Pick-up persons"), *day_headers):
            header.cell(clean(text))
        for row in sheet.rows:
            cells = table.row()
            cells.cell(clean(f"{row.person.last_name}, {row.person.first_name}"))
            cells.cell(str(row.age))
            cells.cell(clean(flags_text(row)))
            cells.cell(clean(" / ".join(label for _value, label in row.pickups)))
            for _day in days:
                cells.cell("")
    return bytes(pdf.output())
