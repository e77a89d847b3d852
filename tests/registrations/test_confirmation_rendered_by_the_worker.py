"""The payment confirmation is rendered by the worker: paying only writes the outbox row."""

from datetime import timedelta

import pytest
from django.core import mail
from django.template.backends.django import Template
from django.urls import reverse
from django.utils import timezone

from portal import emails
from portal.models import OutgoingEmail
from registrations import services
from registrations.models import Order, Receipt
from tests import factories

from .helpers import paid_order, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def camp():
    return factories.GroupFactory(activity=factories.ActivityFactory(name="Camp de l'Île"))


def test_paying_renders_no_template_and_the_worker_sends_the_receipt(
    family, lea, camp, monkeypatch
):
    services.add_to_cart(family=family, person=lea, groups=[camp])
    order = services.checkout(family=family).order
    rendered = []
    monkeypatch.setattr(Template, "render", lambda *args, **kw: rendered.append(args) or "")
    pay(order)
    assert rendered == []  # the paying request rendered nothing
    monkeypatch.undo()

    email = OutgoingEmail.objects.get(kind="order_confirmation")
    assert (email.subject, email.body_text, email.status) == ("", "", "pending")
    assert email.awaits_rendering

    assert emails.deliver(email.pk)
    email.refresh_from_db()
    order.refresh_from_db()
    assert email.subject == f"Inscription confirmée — {lea.first_name} — commande {order.number}"
    assert "Camp de l'Île" in email.body_text and "Camp de l&#x27;Île" in email.body_html
    receipt = Receipt.objects.get()
    assert reverse("registrations:receipt_pdf", args=[receipt.year, receipt.sequence]) in (
        email.body_text
    )
    assert [message.subject for message in mail.outbox] == [email.subject]
    assert not email.awaits_rendering  # a retry or a resend sends the same text


def test_a_rendering_that_fails_is_retried_like_a_refused_smtp(family, lea, camp):
    order = paid_order(family=family, items=[(lea, [camp])])
    email = OutgoingEmail.objects.get(kind="order_confirmation")
    email.render_arguments = {"order_id": order.pk + 1000, "receipt_id": None}  # no such order
    email.save()

    assert not emails.deliver(email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts, email.body_text) == ("pending", 1, "")
    assert "DoesNotExist" in email.last_error and email.next_attempt_at > timezone.now()
    assert mail.outbox == []

    email.render_arguments = {"order_id": order.pk, "receipt_id": None}
    email.next_attempt_at = None
    email.save()
    assert emails.deliver(email.pk)
    assert len(mail.outbox) == 1


def test_a_row_never_runs_code_that_is_not_an_email_context_builder(family, lea, camp):
    paid_order(family=family, items=[(lea, [camp])])
    email = OutgoingEmail.objects.get(kind="order_confirmation")
    email.render_with, email.render_arguments = "os.getcwd", {}
    email.save()
    assert not emails.deliver(email.pk)
    email.refresh_from_db()
    assert "not an email context builder" in email.last_error
    with pytest.raises(ValueError):
        emails.queue_email_to_render(
            to="x@example.com", template="order_confirmation", builder=len, arguments={}
        )


def test_a_family_asking_again_before_it_was_sent_gets_the_same_confirmation(family, lea, camp):
    order = paid_order(family=family, items=[(lea, [camp])])
    first = OutgoingEmail.objects.get(kind="order_confirmation")
    copy = emails.resend_to_family(email_id=first.pk, address=family.user.email)
    assert copy.awaits_rendering and copy.kind == "order_confirmation_resent"
    assert emails.deliver(copy.pk) and emails.deliver(first.pk)
    assert [m.subject for m in mail.outbox] == [mail.outbox[0].subject] * 2
    assert order.number in mail.outbox[0].subject


def test_purging_old_bodies_forgets_how_to_render_them_again(family, lea, camp, settings):
    paid_order(family=family, items=[(lea, [camp])])
    email = OutgoingEmail.objects.get(kind="order_confirmation")
    emails.deliver(email.pk)
    later = timezone.now() + timedelta(days=settings.OUTBOX_BODY_RETENTION_DAYS + 1)
    assert emails.purge_sent_bodies(now=later) == 1
    email.refresh_from_db()
    assert (email.body_text, email.render_with, email.render_arguments) == ("", "", {})
    assert not email.awaits_rendering
    assert Order.objects.get().status == Order.Status.PAID
