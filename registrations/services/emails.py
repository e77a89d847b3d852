"""The family's order emails, queued in the transaction of the event that causes them."""

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse

from portal.compiled import CompiledQuery
from portal.emails import email_context_builder, queue_email, queue_email_to_render

from .. import selectors
from ..models import Order, Receipt, Registration


def email_family(
    *,
    order: Order,
    template: str,
    registrations: Iterable[Registration],
    receipt: Receipt | None = None,
    **extra,
) -> None:
    """``registrations`` come with ``person``, ``group__activity`` and ``week`` loaded;
    ``receipt``: the one this email is about, if the caller has it (else the latest)."""
    queue_email(
        to=order.family.user.email,
        template=template,
        context=_order_context(order, registrations, receipt, **extra),
        language=order.language,
    )


def email_payment_confirmation(*, order: Order, receipt: Receipt | None) -> None:
    """« Reçu »: rendered by the worker, so that paying, the hottest request of opening
    night, only writes the outbox row."""
    queue_email_to_render(
        to=order.family.user.email,
        template="order_confirmation",
        builder=payment_confirmation_context,
        arguments={"order_id": order.pk, "receipt_id": receipt and receipt.pk},
        language=order.language,
    )


# The worker renders one per payment on opening night: compiled once per process.
_ORDER_WITH_FAMILY = CompiledQuery(
    lambda *, order_id: Order.objects.filter(pk=order_id).select_related("family")
)
_RECEIPT = CompiledQuery(lambda *, receipt_id: Receipt.objects.filter(pk=receipt_id))


@email_context_builder
def payment_confirmation_context(*, order_id: int, receipt_id: int | None) -> dict:
    order = _ORDER_WITH_FAMILY.first(order_id=order_id)
    if order is None:
        raise Order.DoesNotExist(f"order {order_id}")
    receipt = _RECEIPT.first(receipt_id=receipt_id) if receipt_id else None
    if receipt_id and receipt is None:
        raise Receipt.DoesNotExist(f"receipt {receipt_id}")
    return _order_context(order, selectors.order_lines(order=order), receipt)


def _order_context(
    order: Order, registrations: Iterable[Registration], receipt: Receipt | None, **extra
) -> dict:
    lines = sorted(
        registrations, key=lambda r: (r.person.first_name, r.week.starts_on, r.kind != "camp")
    )
    order_url = settings.SITE_URL + reverse("registrations:order_detail", args=[order.public_id])
    # The receipt of the payment or refund this email is about: recorded just before it.
    if receipt is None:
        receipt = Receipt.objects.filter(payment__order=order).order_by("-issued_at", "-pk").first()
    receipt_url = ""
    if receipt is not None:
        path = reverse("registrations:receipt_pdf", args=[receipt.year, receipt.sequence])
        receipt_url = settings.SITE_URL + path
    return {
        "order": order,
        "family": order.family,
        "registrations": lines,
        # The subject names the children: a family tells its emails apart at a glance.
        "children": ", ".join(dict.fromkeys(r.person.first_name for r in lines)),
        "order_url": order_url,
        "receipt_url": receipt_url,
        **extra,
    }


def order_lines(order: Order) -> list[Registration]:
    return selectors.order_lines(order=order)
