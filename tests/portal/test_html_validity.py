"""0 Nu HTML Checker errors on every page of the main flows and in every email's HTML part.

The pages are rendered through the test client with a realistic family (a paid order, a cart
awaiting payment, a waiting entry and an offer, a health form to fill), the emails through
``render_email`` in both languages; then ``vnu.jar`` (the npm package ``vnu-jar``, pinned in
package-lock.json, run with the machine's Java) checks all the files in one run, since it is
slow to start. Only its complaints about htmx's ``hx-*`` attributes are set aside (``data-*``
is valid HTML). Without Java or the jar the test skips and says why; CI installs both
(``REQUIRE_HTML_CHECK`` there turns the skip into a failure).
"""

import json
import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from portal.emails import render_email
from portal.views import too_many_requests
from registrations import services
from registrations.models import Order, Receipt
from tests import factories
from tests.registrations.helpers import pay
from waitlist.services import offer_place

from .test_email_templates import TEMPLATES
from .test_email_templates import context as email_context

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# htmx's attributes are not HTML's: the only complaint set aside.
HTMX_ATTRIBUTE = re.compile(r"^Attribute “hx-[a-z-]+” (is )?not allowed")


def checker() -> list[str]:
    java = shutil.which("java")
    missing = []
    if java is None:
        missing.append("java is not installed (apt-get install default-jre-headless)")
    if not VNU_JAR.exists():
        missing.append(f"{VNU_JAR.relative_to(ROOT)} is missing (npm ci)")
    if missing:
        reason = "Nu HTML Checker unavailable: " + "; ".join(missing) + ". CI installs both."
        if os.environ.get("REQUIRE_HTML_CHECK"):
            pytest.fail(reason)
        pytest.skip(reason)
    return [java, "-jar", str(VNU_JAR)]


def ok(response) -> str:
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


@pytest.fixture
def town(family):
    """One open season: a camp with an apostrophe, its daycare and bike transport, and two
    full camps in week 2 (one with a place to offer to the family first in line)."""
    season = factories.SeasonFactory(name="Camps de jour — Été 2027")
    week1 = factories.WeekFactory(season=season, number=1)
    week2 = factories.WeekFactory(season=season, number=2)
    camp = factories.GroupFactory(week=week1, activity__name="Camp de l'Île", capacity=10)
    daycare = factories.GroupFactory(
        week=week1,
        activity=factories.ActivityFactory(kind=Activity.Kind.DAYCARE, name="Service de garde"),
        price_resident=40,
    )
    factories.GroupFactory(
        week=week1,
        activity=factories.ActivityFactory(kind=Activity.Kind.TRANSPORT, name="Transport à vélo"),
        price_resident=25,
    )
    full = factories.GroupFactory(week=week2, activity__name="Camp Plein Air", capacity=1)
    daycare2 = factories.GroupFactory(week=week2, activity=daycare.activity, price_resident=40)
    factories.RegistrationFactory(group=full)
    offered = factories.GroupFactory(week=week2, activity__name="Camp Sciences", capacity=1)
    return {
        "season": season,
        "camp": camp,
        "daycare": daycare,
        "full": full,
        "daycare2": daycare2,
        "offered": offered,
        "lea": family.persons.get(first_name="Léa"),
        "noah": family.persons.get(first_name="Noah"),
    }


def family_pages(client: Client, family, town) -> dict[str, str]:
    """The parent's pages, in the order a parent meets them, with every state they show."""
    lea, noah, camp, daycare = town["lea"], town["noah"], town["camp"], town["daycare"]
    pages = {}
    get = lambda name, url, **kw: pages.__setitem__(name, ok(client.get(url, **kw)))  # noqa: E731

    get("home", reverse("portal:home"))
    get("catalogue", reverse("activities:catalogue"))
    get("privacy", reverse("portal:privacy"))
    get("register", reverse("registrations:register"))
    # « Confirmer l'inscription à ce groupe » without htmx: the whole page with the result
    # (one line added, one refused).
    pages["register-result"] = ok(
        client.post(
            reverse("registrations:register"),
            {"person": lea.pk, "groups": [camp.pk, daycare.pk, town["full"].pk]},
        )
    )
    paid = services.checkout(family=family).order
    pay(paid)
    get("order-paid", reverse("registrations:order_detail", args=[paid.public_id]))
    receipt = Receipt.objects.get(payment__order=paid)
    get("receipt", reverse("registrations:receipt", args=[receipt.year, receipt.sequence]))
    get("statement", reverse("registrations:statement"))
    line = paid.registrations.get(group=camp)
    get("cancel-line", reverse("registrations:cancel_line", args=[line.pk]))

    # Noah waits for a full camp (its daycare ticked); Léa is offered a place.
    client.post(
        reverse("waitlist:join"),
        {"person": noah.pk, "group": town["full"].pk, "addons": [town["daycare2"].pk]},
    )
    entry = factories.WaitlistEntryFactory(family=family, person=lea, group=town["offered"])
    offer = offer_place(entry=entry)
    waiting = noah.waitlist_entries.get()

    services.add_to_cart(family=family, person=noah, groups=[camp])
    pending = services.checkout(family=family).order
    get("cart-pending-payment", reverse("registrations:cart"))
    get("order-pending", reverse("registrations:order_detail", args=[pending.public_id]))
    get("order-offer", reverse("registrations:order_detail", args=[offer.public_id]))
    get(
        "simulated-payment",
        reverse("registrations:simulated_payment", args=[pending.public_id]),
    )
    get("dossier", reverse("accounts:dossier"))
    get("dossier-en", reverse("accounts:dossier"), headers={"Accept-Language": "en"})
    get("tax-slips", reverse("finances:tax_slips"))
    get("waiting-lists", reverse("waitlist:entries"))
    get("leave-list", reverse("waitlist:leave", args=[waiting.pk]))
    get("decline-offer", reverse("waitlist:leave", args=[entry.pk]))
    get("health-form", reverse("health:form", args=[lea.pk, town["season"].pk]))
    get("accompaniment", reverse("health:accompaniment", args=[lea.pk, town["season"].pk]))
    get("family-form", reverse("accounts:edit_family"))
    get("add-person", reverse("accounts:add_person"))
    get("edit-person", reverse("accounts:edit_person", args=[lea.pk]))
    get("my-data", reverse("privacy:my_data"))
    get("close-account", reverse("privacy:close_account"))

    client.post(
        reverse("registrations:simulated_payment", args=[pending.public_id]),
        {"action": "decline"},
    )
    assert Order.objects.get(pk=pending.pk).status == Order.Status.DECLINED
    get("order-declined", reverse("registrations:order_detail", args=[pending.public_id]))
    get("cart-after-decline", reverse("registrations:cart"))
    get("cart-en", reverse("registrations:cart"), headers={"Accept-Language": "en"})
    return pages


def anonymous_pages() -> dict[str, str]:
    client = Client()
    pages = {
        name: ok(client.get(reverse(url)))
        for name, url in [
            ("login", "account_login"),
            ("signup", "account_signup"),
            ("password-reset", "account_reset_password"),
            ("catalogue-anonymous", "activities:catalogue"),
        ]
    }
    # The sign-up form with its errors: the messages are tied to their fields.
    pages["signup-errors"] = ok(client.post(reverse("account_signup"), {"email": "x"}))
    pending = factories.FamilyFactory(pending=True)
    client.force_login(pending.user)
    pages["pending-approval"] = ok(client.get(reverse("accounts:pending")))
    # The error pages, which render without the database or a session.
    pages["too-many-requests"] = too_many_requests(RequestFactory().get("/")).content.decode()
    for template in ("500.html", "503.html"):
        pages[template] = loader.get_template(template).render({"retry_after": 30})
    return pages


def waiting_room_page(client: Client, season) -> dict[str, str]:
    """The waiting room lives in Redis: without REDIS_URL there is none to show."""
    if not settings.REDIS_URL:
        return {}
    season.opens_at = timezone.now() + timedelta(minutes=10)
    season.opens_at_nonresident = timezone.now() + timedelta(days=7)
    season.save()
    response = client.get(reverse("registrations:cart"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("registrations:waiting_room"))
    return {"waiting-room": ok(response)}


def email_parts() -> dict[str, str]:
    return {
        f"email-{template.replace('/', '-')}-{language}": render_email(
            template, email_context(), language=language
        )[2]
        for template in TEMPLATES
        for language in ("fr", "en")
    }


def run_checker(command: list[str], files: list[Path]) -> list[dict]:
    result = subprocess.run(
        [*command, "--format", "json", "--exit-zero-always", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["messages"]


def test_every_page_and_email_is_valid_html(client, family, town, tmp_path):
    command = checker()
    client.force_login(family.user)
    documents = {
        **family_pages(client, family, town),
        **anonymous_pages(),
        **waiting_room_page(client, town["season"]),
        **email_parts(),
    }
    assert len(documents) > 80  # every page above and both languages of every email
    files = []
    for index, (name, html) in enumerate(documents.items()):
        path = tmp_path / f"{index:03d}-{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(path)

    messages = run_checker(command, files)

    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']}"
        f"\n    {m.get('extract', '').strip()}"
        for m in messages
        if m["type"] in ("error", "non-document-error") and not HTMX_ATTRIBUTE.match(m["message"])
    ]
    assert errors == [], "\n".join(errors)
    checked = {Path(m["url"]).name for m in messages if m.get("url")}
    assert checked <= {path.name for path in files}


def test_the_checker_sees_an_error_when_there_is_one(tmp_path):
    """The control case: a page with a known error is reported, htmx aside."""
    command = checker()
    page = tmp_path / "broken.html"
    page.write_text(
        '<!doctype html><html lang="fr"><head><title>x</title></head><body>'
        '<span aria-label="2 articles">2</span><a href="/" hx-get="/">x</a>'
        '<time datetime="2026-12-01T21:11:00.123456">x</time></body></html>',
        encoding="utf-8",
    )
    messages = [m["message"] for m in run_checker(command, [page]) if m["type"] == "error"]
    assert any(HTMX_ATTRIBUTE.match(m) for m in messages), messages
    others = [m for m in messages if not HTMX_ATTRIBUTE.match(m)]
    assert any("aria-label" in m for m in others), messages
    assert any("datetime" in m for m in others), messages
