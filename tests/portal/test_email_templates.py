"""Every email is the town's: one layout (name, contact, « Mon dossier »), HTML and text, in
Quebec French and in English, links that lead somewhere, and text parts never HTML-escaped."""

import re
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace as NS
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from portal.emails import render_email

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR) / "templates" / "emails"
TEMPLATES = sorted(
    str(path.relative_to(ROOT)).removesuffix("_subject.txt") for path in ROOT.rglob("*_subject.txt")
)
CAMP = "Camp de l'Île"  # an apostrophe: escaped in HTML, never in text


def context() -> dict:
    order_id = uuid.uuid4()
    week = NS(
        label="Semaine 1",
        starts_on=date(2027, 6, 28),
        ends_on=date(2027, 7, 2),
    )
    activity = NS(
        name=CAMP,
        kind="camp",
        kind_label="Camp",
        get_kind_display=lambda: "Camp",
        site="Parc Central",
    )
    daycare = NS(
        name="Service de garde",
        kind="daycare",
        kind_label="Service de garde",
        get_kind_display=lambda: "Service de garde",
        site="",
    )
    group = NS(activity=activity, week=week, __str__=lambda: CAMP)
    family = NS(
        pk=1,
        guardian_first_name="Amélie",
        rejection_reason="Adresse à préciser",
        address="1 rue d'Ici",
        city="Saint-Exemple",
        postal_code="J0J 0J0",
        is_resident=False,
    )
    person = NS(first_name="Léa", __str__=lambda: "Léa Tremblay")
    no_reduction = {"family_reduction": Decimal("0"), "family_pricing_label": ""}
    order = NS(
        number="A-1001",
        total=Decimal("245.00"),
        provider="simulated",
        provider_reference="sim_123",
        paid_at=timezone.now(),
        public_id=order_id,
    )
    registrations = [
        NS(person=person, group=group, week=week, price=Decimal("185.00"), **no_reduction),
        NS(
            person=person,
            group=NS(activity=daycare, week=week),
            week=week,
            price=Decimal("60"),
            **no_reduction,
        ),
    ]
    entry = NS(person=person, group=group)
    order_url = settings.SITE_URL + reverse("registrations:order_detail", args=[order_id])
    return {
        "family": family,
        "order": order,
        "registrations": registrations,
        "order_url": order_url,
        "amount": Decimal("245.00"),
        "refund": NS(amount=Decimal("60"), provider_reference="re_1"),
        "admin_url": settings.SITE_URL + reverse("admin:index"),
        "entry": entry,
        "person": person,
        "group": group,
        "position": 2,
        "total": 5,
        "addons": [group],
        "waiting_addons": [group],
        "deadline": timezone.now() + timedelta(hours=30),
        "pay_url": order_url,
        "free": 1,
        "waiting": 2,
        "season": "Été 2027",
        "form": NS(pk=1, signed_by="Amélie"),
        "body": f"Sortie au {CAMP} demain.",
        "subject": f"Sortie au {CAMP}",
        "audience": "group",
        "week": week,
        "opens_at": datetime(2027, 3, 1, 19, 0, tzinfo=timezone.get_current_timezone()),
        "activate_url": settings.SITE_URL + reverse("account_confirm_email", args=["k"]),
        "password_reset_url": settings.SITE_URL
        + reverse("account_reset_password_from_key", kwargs={"uidb36": "1", "key": "a-b"}),
        "signup_url": settings.SITE_URL + reverse("account_signup"),
    }


def links(text: str) -> list[str]:
    return [u.rstrip(".,)") for u in re.findall(r"https?://[^\s\"'<>]+", text)]


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_email_is_branded_linked_and_plain(template, language):
    subject, text, html = render_email(template, context(), language=language)
    assert subject and "\n" not in subject
    for part in (text, html):
        assert settings.MUNICIPALITY_NAME in part
    assert settings.MUNICIPALITY_CONTACT in text
    assert f'<html lang="{language}">' in html
    assert "&#x27;" not in text and "&amp;" not in text and "&#" not in subject
    for url in links(text) + links(html):
        assert url.startswith(settings.SITE_URL), url
        try:
            resolve(urlsplit(url).path)
        except Resolver404:
            pytest.fail(f"{template}: {url} leads nowhere")
    if language == "fr":
        assert "e-mail" not in (text + html).lower()
        assert "Service de garde (Service de garde)" not in text + html


@pytest.mark.parametrize("template", TEMPLATES)
def test_email_is_translated(template):
    """The French email is not the English one: no string was left untranslated."""
    fr = render_email(template, context(), language="fr")
    en = render_email(template, context(), language="en")
    if template.startswith("family_message"):  # the clerk's own words
        assert fr[1] != en[1]
        return
    assert fr[0] != en[0]
    assert fr[2] != en[2]


def test_order_confirmation_is_a_receipt():
    ctx = context()
    subject, text, html = render_email("order_confirmation", ctx, language="fr")
    assert "A-1001" in subject
    for expected in ("sim_123", "Parc Central", "245,00\u00a0$", ctx["order_url"], "Semaine 1"):
        assert expected in text, expected
        assert expected in html, expected
    assert CAMP in text and "Camp de l&#x27;Île" in html


def test_subjects_name_the_child_the_camp_and_the_week(family, db):
    from registrations.models import Registration
    from tests import factories
    from tests.registrations.helpers import sent_email
    from waitlist.services import join_waitlist

    lea = family.persons.get(first_name="Léa")
    group = factories.GroupFactory(capacity=1)
    factories.RegistrationFactory(group=group, status=Registration.Status.CONFIRMED)
    join_waitlist(family=family, person=lea, group=group)
    subject = sent_email("waitlist_joined").subject
    assert "Léa" in subject and group.activity.name in subject and "Semaine" in subject
