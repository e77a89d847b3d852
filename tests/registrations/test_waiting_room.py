"""« Salle d'attente »: around each opening, « S'inscrire », « Panier » and checkout go through
the waiting room; a pass lets a family in, and nothing else does (no URL, no htmx request)."""

import html
import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from portal import waiting_room as queue_module
from registrations import services
from registrations import waiting_room as gate
from tests import factories

from .helpers import TAMPERED_TICKETS, pay, tampered_refresh_url, text

pytestmark = pytest.mark.usefixtures("redis_required")


@pytest.fixture
def opened(season):
    """Residents opened a minute ago; two families may register at once."""
    season.opens_at = timezone.now() - timedelta(minutes=1)
    season.opens_at_nonresident = timezone.now() + timedelta(days=7)
    season.max_active_families = 2
    season.save()
    return season


def gated_requests(order_id) -> list[tuple[str, str, dict]]:
    """Every gated page and action: (method, url, headers)."""
    return [
        ("get", reverse("registrations:register"), {}),
        ("post", reverse("registrations:register"), {}),
        ("get", reverse("registrations:cart"), {}),
        ("post", reverse("registrations:cart_remove", args=[1]), {}),
        ("post", reverse("registrations:checkout"), {}),
        ("post", reverse("registrations:pay_order", args=[order_id]), {}),
    ]


def room_keys(prefix: str) -> list[bytes]:
    queue = queue_module.get_queue()
    return list(queue.client.scan_iter(match=f"{prefix}:*"))


def is_waiting_room(response) -> bool:
    target = response.headers.get("HX-Redirect") or response.headers.get("Location", "")
    return target.startswith(reverse("registrations:waiting_room"))


def test_outside_an_opening_window_there_is_no_queue(parent_client, season, waiting_room_keys):
    # The factory's season opened yesterday: the window (2 hours after) is over.
    response = parent_client.get(reverse("registrations:register"))
    assert response.status_code == 200
    assert room_keys(waiting_room_keys) == []


def test_a_season_without_a_waiting_room_lets_families_in(parent_client, opening_soon):
    opening_soon.waiting_room_minutes_before = 0
    opening_soon.save()
    assert parent_client.get(reverse("registrations:register")).status_code == 200


@pytest.mark.parametrize("index", range(6))
def test_before_the_opening_every_gated_page_sends_to_the_waiting_room(
    parent_client, family, opening_soon, index
):
    order = factories.OrderFactory(family=family)
    method, url, headers = gated_requests(order.public_id)[index]
    response = getattr(parent_client, method)(url, headers=headers)
    assert response.status_code == 302
    assert is_waiting_room(response)


@pytest.mark.parametrize("index", range(6))
def test_an_htmx_request_cannot_skip_the_queue(parent_client, family, opening_soon, index):
    order = factories.OrderFactory(family=family)
    method, url, _headers = gated_requests(order.public_id)[index]
    response = getattr(parent_client, method)(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.content == b""
    assert is_waiting_room(response)


def test_the_waiting_page_counts_down_and_says_what_to_prepare(parent_client, opening_soon):
    response = parent_client.get(reverse("registrations:cart"), follow=True)
    page = text(response)
    assert response.redirect_chain[-1][0].startswith(reverse("registrations:waiting_room"))
    assert "Salle d'attente" in page
    assert "L'inscription ouvre dans 10 minutes." in page
    assert "Rien n'est réservé avant le paiement" in page
    assert 'hx-trigger="every 30.0s"' in page  # ten minutes before the draw
    assert "<script>" not in page.replace('<script src="', "")  # no inline script (CSP)


def test_the_refresh_makes_no_sql_query(parent_client, opening_soon, django_assert_num_queries):
    page = parent_client.get(reverse("registrations:register"), follow=True)
    poll_url = page.context["status"]["poll_url"]
    with django_assert_num_queries(0):
        response = parent_client.get(poll_url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="waiting-status"' in text(response)
    assert "HX-Redirect" not in response.headers


def test_the_refresh_skips_the_session_and_the_rest_of_the_stack(
    parent_client, family, opening_soon
):
    """Served by BareViewsMiddleware: the signed ticket says whose place it is, so another
    browser with the URL sees that place (and nothing else), with no session or CSP work."""
    page = parent_client.get(reverse("registrations:register"), follow=True)
    poll_url = page.context["status"]["poll_url"]
    stranger = Client()
    response = stranger.get(poll_url, headers={"HX-Request": "true", "Accept-Language": "en"})
    assert response.status_code == 200
    assert "Registration opens in 10 minutes." in text(response)
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies
    assert "Content-Security-Policy" not in response.headers
    assert "no-store" in response["Cache-Control"]
    assert "Permissions-Policy" in response.headers


def test_the_refresh_passes_its_ticket_on(parent_client, opening_soon):
    """A refresh asks for the same URL next time (its ticket is not signed again at each of
    thousands of refreshes), and that URL keeps showing the family's place."""
    page = parent_client.get(reverse("registrations:register"), follow=True)
    poll_url = page.context["status"]["poll_url"]
    for later in (5, 10):  # seconds: a ticket signed again would carry another time
        with time_machine.travel(timezone.now() + timedelta(seconds=later), tick=False):
            response = parent_client.get(poll_url, headers={"HX-Request": "true"})
        assert "L'inscription ouvre dans 10 minutes." in text(response)
        next_poll = html.unescape(re.search(r'hx-get="([^"]+)"', text(response)).group(1))
        assert next_poll == poll_url


@pytest.mark.parametrize("tamper", TAMPERED_TICKETS)
def test_a_refresh_without_a_valid_ticket_shows_no_place(
    parent_client, family, opening_soon, tamper
):
    page = parent_client.get(reverse("registrations:register"), follow=True)
    poll_url = page.context["status"]["poll_url"]
    url = tampered_refresh_url(poll_url, tamper=tamper, user_id=family.user.pk)
    response = parent_client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("registrations:register")
    assert 'id="waiting-status"' not in text(response)


def test_an_admitted_family_is_sent_on_by_the_refresh(parent_client, opening_soon):
    page = parent_client.get(reverse("registrations:cart"), follow=True)
    poll_url = page.context["status"]["poll_url"]
    with time_machine.travel(opening_soon.opens_at + timedelta(seconds=1), tick=False):
        response = parent_client.get(poll_url, headers={"HX-Request": "true"})
        assert response["HX-Redirect"] == reverse("registrations:cart")
        # With its pass, the cart answers (and the cart prepared before is still there).
        assert parent_client.get(reverse("registrations:cart")).status_code == 200


def test_after_the_window_the_waiting_page_lets_the_family_go_on(parent_client, opening_soon):
    opening_soon.max_active_families = 0  # nobody admitted: only the end of the window
    opening_soon.save()
    page = parent_client.get(reverse("registrations:cart"), follow=True)
    poll_url = page.context["status"]["poll_url"]
    after = opening_soon.opens_at + timedelta(minutes=opening_soon.waiting_room_minutes_after)
    with time_machine.travel(after, tick=False):
        response = parent_client.get(poll_url, headers={"HX-Request": "true"})
        assert response["HX-Redirect"] == reverse("registrations:cart")
        assert parent_client.get(reverse("registrations:cart")).status_code == 200


def test_at_most_n_families_are_in_and_an_idle_pass_goes_to_the_next(client, opened):
    families = [factories.FamilyFactory() for _ in range(3)]
    register = reverse("registrations:register")
    outcomes = []
    for family in families:
        client.force_login(family.user)
        outcomes.append(client.get(register).status_code)
    assert outcomes == [200, 200, 302]
    # The first two go quiet; after the idle time the third one gets in.
    later = timezone.now() + timedelta(minutes=opened.active_idle_minutes, seconds=1)
    with time_machine.travel(later, tick=False):
        assert client.get(register).status_code == 200


def test_an_unapproved_family_is_never_admitted(client, opened, waiting_room_keys):
    pending = factories.FamilyFactory(pending=True)
    client.force_login(pending.user)
    response = client.get(reverse("registrations:register"))
    assert response.status_code == 403
    queue = queue_module.get_queue()
    room = gate.season_opening(opened, is_resident=True).room
    assert queue.look(room.key, str(pending.user.pk), now=timezone.now().timestamp()).state in {
        queue_module.State.ABSENT,
        queue_module.State.UNKNOWN,
    }
    # A ticket for its own place shows nothing and lets it in nowhere: the gate refuses it.
    ticket = gate.place_ticket(room_key=room.key, user_id=pending.user.pk)
    poll = reverse("registrations:waiting_room_status") + f"?ticket={ticket}"
    assert client.get(poll)["HX-Redirect"] == reverse("registrations:register")
    assert client.get(reverse("registrations:register")).status_code == 403


def test_a_non_resident_waits_for_its_own_opening(client, season):
    season.opens_at = timezone.now() - timedelta(days=1)
    season.opens_at_nonresident = timezone.now() + timedelta(minutes=5)
    season.save()
    resident = factories.FamilyFactory()
    outsider = factories.FamilyFactory(is_resident=False)
    client.force_login(resident.user)
    assert client.get(reverse("registrations:register")).status_code == 200
    client.force_login(outsider.user)
    assert is_waiting_room(client.get(reverse("registrations:register")))


def test_the_waiting_page_does_not_send_elsewhere(parent_client, opening_soon):
    response = parent_client.get(
        reverse("registrations:waiting_room") + "?next=https://example.com/"
    )
    poll_url = response.context["status"]["poll_url"]
    assert "example.com" not in poll_url


def test_without_redis_the_waiting_room_is_off_and_says_so(
    parent_client, opening_soon, settings, caplog
):
    settings.REDIS_URL = ""
    gate._said_off = False
    with caplog.at_level(logging.WARNING, logger="registrations.waiting_room"):
        assert parent_client.get(reverse("registrations:register")).status_code == 200
    assert "Waiting room off: REDIS_URL is not set" in caplog.text


# --- Staff ----------------------------------------------------------------------------------


@pytest.fixture
def clerk(client, db):
    user = factories.UserFactory(is_staff=True)
    client.force_login(user)
    return user


def test_staff_need_the_season_permission(client, clerk, opened):
    url = reverse("admin:activities_season_waiting_room", args=[opened.pk])
    assert client.get(url).status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="change_season"))
    assert client.get(url).status_code == 200


def test_staff_see_the_queue_and_pause_and_resume(client, clerk, opened):
    clerk.user_permissions.add(
        Permission.objects.get(codename="change_season"),
        Permission.objects.get(codename="view_season"),
    )
    room = gate.season_opening(opened, is_resident=True).room
    queue = queue_module.get_queue()
    now = timezone.now().timestamp()
    for member in range(5):
        queue.check_in(room, f"family-{member}", now=now)
    url = reverse("admin:activities_season_waiting_room", args=[opened.pk])
    page = text(client.get(url))
    assert "Résidents" in page
    stats = queue.stats(room.key, now=now)
    assert (stats.waiting, stats.active, stats.admitted) == (3, 2, 2)

    client.post(url, {"action": "pause", "opening": "resident"})
    assert queue.is_paused(room.key)
    assert "Reprendre" in text(client.get(url))
    client.post(url, {"action": "resume", "opening": "resident"})
    assert not queue.is_paused(room.key)


def test_a_family_that_paid_and_sent_its_full_camp_to_the_waiting_list_gives_its_pass(
    client, opened
):
    """It paid what fitted; the camp that filled meanwhile goes from its cart to the line:
    nothing is left to do, so the next family comes in without waiting for the idle
    timeout."""
    opened.max_active_families = 1
    opened.save()
    first, second = factories.FamilyFactory(), factories.FamilyFactory()
    child = factories.PersonFactory(family=first)
    camp, filled = (
        factories.GroupFactory(week=factories.WeekFactory(season=opened, number=n)) for n in (1, 2)
    )
    register = reverse("registrations:register")
    client.force_login(first.user)
    assert client.get(register).status_code == 200
    services.add_to_cart(family=first, person=child, groups=[camp, filled])
    filled.capacity = 0  # staff closed it: it is full when the family pays
    filled.save()
    order = services.checkout(family=first).order
    pay(order)
    client.get(reverse("registrations:order_detail", args=[order.public_id]))
    client.force_login(second.user)
    assert client.get(register).status_code == 302  # the first family still holds the pass
    client.force_login(first.user)

    client.post(reverse("waitlist:join"), {"person": child.pk, "group": filled.pk})

    client.force_login(second.user)
    assert client.get(register).status_code == 200


def test_a_family_that_paid_gives_its_pass_to_the_next_at_once(client, opened):
    """Without it, N families who paid would hold the room for the idle timeout."""
    opened.max_active_families = 1
    opened.save()
    first, second = factories.FamilyFactory(), factories.FamilyFactory()
    camp = factories.GroupFactory(week=factories.WeekFactory(season=opened))
    child = factories.PersonFactory(family=first)
    register = reverse("registrations:register")
    client.force_login(first.user)
    assert client.get(register).status_code == 200
    client.force_login(second.user)
    assert client.get(register).status_code == 302  # the only pass is the first family's
    client.force_login(first.user)
    services.add_to_cart(family=first, person=child, groups=[camp])
    order = services.checkout(family=first).order
    pay(order)
    client.get(reverse("registrations:order_detail", args=[order.public_id]))
    client.force_login(second.user)
    assert client.get(register).status_code == 200


PLACES = {
    "before the draw": dict(position=3, waiting=40, admitted_recently=0, opens_at=1000.0),
    "in line, no rate yet": dict(position=1, waiting=1, admitted_recently=0, opens_at=-5.0),
    "in line": dict(position=25, waiting=140, admitted_recently=12, opens_at=-60.0),
}


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", PLACES)
def test_the_refresh_fragment_is_the_template_rendered_for_each_family(language, name):
    # Rendered once per language and figures, then filled in with each family's URL and
    # delay: the same bytes as the template rendered for that family, URL escaped.
    figures = PLACES[name]
    place = queue_module.Place(
        state=queue_module.State.WAITING, closes_at=9000.0, now=0.0, capacity=8, **figures
    )
    families = [("r", 7, "/inscription/?person=1&x=\"<'"), ("r", 8, "/inscription/panier/")]
    with translation.override(language):
        for room_key, user_id, next_url in families * 2:  # the second time from the kept one
            status = gate.status_context(
                place, room_key=room_key, user_id=user_id, next_url=next_url
            )
            straight = render_to_string("registrations/_waiting_status.html", {"status": status})
            assert gate.render_status(status) == straight
            assert html.escape(status["poll_url"]) in straight  # &amp; between its fields
            assert f'hx-trigger="every {place.refresh_seconds:.1f}s"' in straight
