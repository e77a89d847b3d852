"""« Mon dossier » after payment: the family's own cancellations (thin views over
``services.family_cancellation``). Every read is scoped by the request's family."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.gate import approved_family_required
from portal.middleware import refusal_goes_to
from portal.templatetags.money import format_money

from .models import Registration
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
