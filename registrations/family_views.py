"""« Mon dossier » after payment: the family's cancellations (``services.family_cancellation``)
and receipts (``receipts``, one data builder for the page and the PDF). Every read is
scoped by the request's family: a foreign id is a 404."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.gate import approved_family_required
from portal.middleware import refusal_goes_to
from portal.parsing import to_id
from portal.templatetags.money import format_money

from . import receipts
from . import statement as statement_module
from .models import Registration
from .receipt_pdf import receipt_pdf
from .services import family_cancellation


@refusal_goes_to("accounts:dossier")
@approved_family_required
@require_http_methods(["GET", "POST"])
def cancel_line(request: HttpRequest, registration_id: int) -> HttpResponse:
    """GET: what cancelling this line refunds; POST: cancel it (the amount shown)."""
    try:
        quote = family_cancellation.quote(family=request.family, registration_id=registration_id)
    except Registration.DoesNotExist:
        raise Http404 from None
    if request.method == "POST":
        try:
            expected = Decimal(request.POST.get("expected_refund", ""))
        except InvalidOperation:
            expected = None
        done = family_cancellation.cancel_by_family(
            family=request.family,
            registration_id=registration_id,
            by=request.user,
            reason=request.POST.get("reason", "")[:200],
            expected_refund=expected,
        )
        messages.success(
            request,
            _("The registration was cancelled. Refunded: %(amount)s.")
            % {"amount": format_money(done.refund)},
        )
        return redirect("accounts:dossier")
    return render(request, "registrations/cancel_line.html", {"quote": quote})


def _own_receipt(request: HttpRequest, year: int, sequence: int):
    return get_object_or_404(
        receipts.family_receipts(family=request.family), year=year, sequence=sequence
    )


@approved_family_required
@require_GET
def receipt(request: HttpRequest, year: int, sequence: int) -> HttpResponse:
    data = receipts.receipt_data(_own_receipt(request, year, sequence))
    return render(request, "registrations/receipt.html", {"data": data})


@approved_family_required
@require_GET
def receipt_download(request: HttpRequest, year: int, sequence: int) -> HttpResponse:
    data = receipts.receipt_data(_own_receipt(request, year, sequence))
    response = HttpResponse(receipt_pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{data.number}.pdf"'
    return response


@approved_family_required
@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    """« État de compte »: the season's charges, payments, refunds and balance; printable."""
    seasons = statement_module.family_seasons(family=request.family)
    season_id = to_id(request.GET.get("season"))
    season = next((s for s in seasons if s.pk == season_id), None) if season_id else None
    if season_id and season is None:
        raise Http404
    data = statement_module.account_statement(family=request.family, season=season)
    return render(request, "registrations/statement.html", {"statement": data})
