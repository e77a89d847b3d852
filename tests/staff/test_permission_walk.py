"""Every staff page and admin action checks a permission, never ``is_staff`` alone: a walk over
every admin URL, every staff URL outside the admin and every admin action."""

import pathlib

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories

pytestmark = pytest.mark.django_db

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROJECT_APPS = ("portal", "accounts", "activities", "registrations", "waitlist", "finances")
ROLES = ("Accueil", "Inscriptions", "Finances", "Animation", "Administration")
KNOWN_STAFF_URLS = {
    "registrations:roster_csv",
    "waitlist:offer_next",
    "finances:rl24_export",
    "finances:journal",
}


def admin_urls() -> list[str]:
    """Changelist, add, change, delete and history of every registered model, on a real row
    when there is one (the history page redirects before its check for a missing row)."""
    urls = []
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
        row = model._default_manager.order_by("pk").first()
        views = ("change", "delete", "history") if row else ("change", "delete")
        urls += [reverse(f"{prefix}_{view}", args=[row.pk if row else 1]) for view in views]
    return urls


@pytest.fixture
def one_of_each(db):
    """A row in every table the admin shows: a paid registration, a waiting entry, an email."""
    from portal.emails import queue_rendered_email

    registration = factories.RegistrationFactory()
    factories.WaitlistEntryFactory(group=registration.group)
    queue_rendered_email(to="a@example.org", subject="S", body_text="B", language="fr", kind="t")
    return registration


def _walk(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, entry


def staff_urls() -> dict[str, tuple[str, str]]:
    """Name -> (url, permission) for every view guarded by ``staff_permission_required``."""
    found = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        permission = getattr(pattern.callback, "required_permission", None)
        if permission:
            kwargs = {key: 1 for key in getattr(pattern.pattern, "converters", {})}
            found[name] = (reverse(name, kwargs=kwargs), permission)
    return found


def _get_or_post(client, url):
    response = client.get(url)
    return client.post(url) if response.status_code == 405 else response


def visible_actions(user) -> dict[str, set[str]]:
    request = RequestFactory().get("/admin/")
    request.user = user
    visible = {}
    for model, model_admin in admin.site._registry.items():
        names = set(model_admin.get_actions(request))
        if names:
            visible[model._meta.label_lower] = names
    return visible


def test_the_roles_exist_as_groups_with_permissions():
    groups = {group.name: group.permissions.count() for group in Group.objects.all()}
    assert set(ROLES) <= set(groups)
    assert all(groups[role] > 0 for role in ROLES)


def test_a_staff_account_without_permissions_is_refused_every_admin_page(client, one_of_each):
    client.force_login(factories.ClerkFactory())
    urls = admin_urls()
    assert len(urls) > 20  # the walk really found the admin
    answers = {url: client.get(url).status_code for url in urls}
    assert {url: code for url, code in answers.items() if code != 403} == {}


def test_the_walk_finds_every_known_staff_page_outside_the_admin():
    assert set(staff_urls()) >= KNOWN_STAFF_URLS


def test_no_view_guards_staff_pages_with_is_staff_alone():
    offenders = [
        str(path.relative_to(ROOT))
        for app in PROJECT_APPS
        for path in (ROOT / app).rglob("*.py")
        if "staff_member_required" in path.read_text() and path.name != "staff.py"
    ]
    assert offenders == []


def test_every_staff_page_refuses_staff_without_its_permission(client):
    client.force_login(factories.ClerkFactory())
    refused = {
        name: _get_or_post(client, url).status_code for name, (url, _) in staff_urls().items()
    }
    assert set(refused.values()) == {403}, refused


def test_every_staff_page_opens_for_a_role_holding_its_permission(client):
    for name, (url, permission) in staff_urls().items():
        app_label, codename = permission.split(".")
        holders = Group.objects.filter(
            permissions__codename=codename, permissions__content_type__app_label=app_label
        )
        assert holders.exists(), f"no role holds {permission} for {name}"
        client.force_login(factories.ClerkFactory(roles=[holders.first().name]))
        assert _get_or_post(client, url).status_code != 403, name


def test_every_admin_action_declares_the_permissions_it_needs():
    undeclared = [
        f"{model._meta.label_lower}.{name}"
        for model, model_admin in admin.site._registry.items()
        for name, (func, _n, _d) in model_admin.get_actions(_superuser_request()).items()
        if not getattr(func, "allowed_permissions", ())
    ]
    assert undeclared == []


def _superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = factories.StaffFactory()
    return request


def test_a_staff_account_without_permissions_sees_no_admin_action():
    assert visible_actions(factories.ClerkFactory()) == {}


def test_an_account_that_may_only_look_runs_no_action_that_changes_anything():
    from django.contrib.auth.models import Permission

    viewer = factories.ClerkFactory()
    viewer.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    viewer = type(viewer).objects.get(pk=viewer.pk)  # no cached permissions
    assert visible_actions(viewer) == {"registrations.registration": {"export_roster"}}


EXPECTED_ACTIONS = {
    "Accueil": {
        "accounts.family": {"approve", "reject", "confirm_residency", "confirm_non_residency"}
    },
    "Inscriptions": {
        "waitlist.waitlistentry": {"offer_place_action", "move_top_action", "move_bottom_action"},
        "activities.group": {"offer_next_action"},
        "registrations.registration": {"export_roster"},
    },
    "Finances": {
        "registrations.order": {"cancel_and_refund"},
        "registrations.registration": {"export_roster"},
    },
    "Animation": {},  # attendance of its groups only (camp's own pages)
    "Administration": {
        "activities.season": {"generate_groups_action", "delete_selected"},
        "activities.activity": {"delete_selected"},
        "activities.group": {"delete_selected"},
        "portal.outgoingemail": {"resend_now"},
    },
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_the_actions_of_its_job(role):
    assert visible_actions(factories.ClerkFactory(roles=[role])) == EXPECTED_ACTIONS[role]
