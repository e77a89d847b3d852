"""The approval gate answers on every registration-side URL, including those added later."""

import html
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories

# Namespaces whose every page or action needs an approved family.
PROTECTED_NAMESPACES = {"registrations", "waitlist"}
# Public on purpose: Stripe calls the webhook; the simulated provider page stands for Stripe's.
PUBLIC_URL_NAMES = {
    "registrations:stripe_webhook",
    "registrations:simulated_payment",
    "registrations:cart_badge",  # the header badge: 0 for anyone without a cart
    # The waiting page's refresh: no SQL, so no family to check; it shows only the place its
    # signed ticket names, and admission still goes through the gated pages.
    "registrations:waiting_room_status",
}
# Staff-only tools (the admin's login guards them, not the family gate).
STAFF_URL_NAMES = {"registrations:roster_csv", "waitlist:offer_next"}
APPROVAL_TEMPLATE = "accounts/approval_required.html"


def _walk(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            if entry.namespace and namespace:
                inner = f"{namespace}:{entry.namespace}"
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name and namespace:
            yield f"{namespace}:{entry.name}", entry


def _sample_kwargs(pattern: URLPattern) -> dict:
    """A value of the right shape for each URL parameter: the gate answers before any lookup."""
    kwargs = {}
    for name, converter in getattr(pattern.pattern, "converters", {}).items():
        kind = type(converter).__name__
        kwargs[name] = {"IntConverter": 1, "UUIDConverter": uuid.uuid4()}.get(kind, "x")
    return kwargs


def protected_urls() -> list[str]:
    urls = set()
    for name, pattern in _walk(get_resolver().url_patterns):
        exempt = PUBLIC_URL_NAMES | STAFF_URL_NAMES
        if name.split(":")[0] in PROTECTED_NAMESPACES and name not in exempt:
            urls.add(reverse(name, kwargs=_sample_kwargs(pattern)))
    return sorted(urls)


def _request(client, url):
    response = client.get(url)
    if response.status_code == 405:  # a POST-only action
        response = client.post(url)
    return response


def test_the_walk_finds_the_known_protected_urls():
    urls = protected_urls()
    assert reverse("registrations:cart") in urls
    assert reverse("waitlist:entries") in urls


@pytest.mark.django_db
@pytest.mark.parametrize("url", protected_urls())
def test_anonymous_visitor_is_sent_to_login(client, url):
    response = _request(client, url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["pending", "rejected"])
@pytest.mark.parametrize("url", protected_urls())
def test_unapproved_family_gets_the_approval_page(client, url, status):
    family = factories.FamilyFactory(**{status: True})
    client.force_login(family.user)

    response = _request(client, url)

    assert response.status_code == 403
    assert APPROVAL_TEMPLATE in [t.name for t in response.templates]
    assert "Votre compte doit d'abord être approuvé" in html.unescape(response.content.decode())


@pytest.mark.django_db
def test_staff_without_family_gets_the_approval_page(client, staff_user):
    client.force_login(staff_user)

    response = client.get(reverse("registrations:cart"))

    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("url", protected_urls())
def test_approved_family_passes_the_gate(client, family, url):
    client.force_login(family.user)

    response = _request(client, url)

    assert APPROVAL_TEMPLATE not in [t.name for t in response.templates]


def staff_urls() -> list[str]:
    return sorted(
        reverse(name, kwargs=_sample_kwargs(pattern))
        for name, pattern in _walk(get_resolver().url_patterns)
        if name in STAFF_URL_NAMES
    )


@pytest.mark.django_db
@pytest.mark.parametrize("url", staff_urls())
def test_staff_tools_refuse_an_approved_parent(client, url):
    family = factories.FamilyFactory()
    client.force_login(family.user)

    response = _request(client, url)

    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("admin:login"))
