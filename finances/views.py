"""Thin views: the family's RL-24 in « Mon dossier », and the « Finances » exports."""

import io

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from accounts.gate import approved_family_required
from portal.middleware import refusal_goes_to
from portal.staff import staff_permission_required
from portal.words import format_date

from . import rl24, services
from .exports import write_journal_csv, write_rl24_csv
from .forms import DateRangeForm, PayerForm, YearForm
from .journal import journal as journal_rows
from .models import PayerInfo
from .rl24_pdf import rl24_pdf


@sensitive_post_parameters("sin")  # an error report never carries the number
@refusal_goes_to("finances:tax_slips")
@approved_family_required
@require_http_methods(["GET", "POST"])
def tax_slips(request: HttpRequest) -> HttpResponse:
    """« Relevé 24 »: the payer (entered once, the number masked) and the slip per year."""
    payer = PayerInfo.objects.filter(family=request.family).first()
    form = PayerForm(request.POST or None, instance=payer or PayerInfo(family=request.family))
    if request.method == "POST" and form.is_valid():
        services.save_payer(family=request.family, **form.cleaned_data)
        messages.success(request, _("The payer's information was saved."))
        return redirect("finances:tax_slips")
    context = {
        "form": form,
        "payer": payer,
        "years": rl24.family_slip_years(family=request.family),
    }
    return render(request, "finances/tax_slips.html", context)


@approved_family_required
@require_GET
def tax_slip_pdf(request: HttpRequest, year: int) -> HttpResponse:
    year_info = next(
        (y for y in rl24.family_slip_years(family=request.family) if y.year == year), None
    )
    if year_info is None or not year_info.is_open:
        if year_info is not None and year_info.available_from:
            when = format_date(year_info.available_from, weekday=False)
            messages.info(
                request,
                _("The %(year)s slip will be available from %(date)s.")
                % {"year": year, "date": when},
            )
        else:
            messages.info(request, _("The %(year)s slip is not available yet.") % {"year": year})
        return redirect("finances:tax_slips")
    slip = rl24.family_slip(family=request.family, year=year)
    if slip is None:
        messages.info(
            request,
            _("No childcare expense was paid in %(year)s (bicycle transport is not childcare).")
            % {"year": year},
        )
        return redirect("finances:tax_slips")
    if slip.payer is None:
        messages.warning(request, _("Enter the payer's information first: the slip names them."))
        return redirect("finances:tax_slips")
    response = HttpResponse(rl24_pdf(slip), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="releve-24-{year}.pdf"'
    return response


@staff_permission_required("finances.export_rl24")
@require_GET
def rl24_export(request: HttpRequest) -> HttpResponse:
    """The year's slips: a summary page, and the CSV with the numbers in clear."""
    form = YearForm(request.GET or None)
    slips = rl24.rl24_slips(year=form.cleaned_data["year"]) if form.is_valid() else None
    if slips is not None and request.GET.get("format") == "csv":
        stream = io.StringIO()
        stream.write("\ufeff")
        write_rl24_csv(slips, stream)
        response = HttpResponse(stream.getvalue(), content_type="text/csv; charset=utf-8")
        year = form.cleaned_data["year"]
        response["Content-Disposition"] = f'attachment; filename="releve-24-{year}.csv"'
        return response
    context = {"form": form, "slips": slips, "title": _("RL-24 slips")}
    return render(request, "finances/rl24_export.html", context)


@staff_permission_required("finances.export_journal")
@require_GET
def journal(request: HttpRequest) -> HttpResponse:
    """The journal of payments and refunds over a date range: a page, and its CSV."""
    form = DateRangeForm(request.GET or None)
    rows = None
    if form.is_valid():
        rows = journal_rows(start=form.cleaned_data["start"], end=form.cleaned_data["end"])
        if request.GET.get("format") == "csv":
            stream = io.StringIO()
            stream.write("\ufeff")
            write_journal_csv(rows, stream)
            response = HttpResponse(stream.getvalue(), content_type="text/csv; charset=utf-8")
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            response["Content-Disposition"] = f'attachment; filename="journal-{start}-{end}.csv"'
            return response
    total = sum((row.amount for row in rows), 0) if rows else 0
    context = {"form": form, "rows": rows, "total": total, "title": _("Journal of payments")}
    return render(request, "finances/journal.html", context)
