"""A monitor takes a group's attendance on a phone, with taps and with the keyboard; the
staff pages have no serious accessibility violation."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.utils import timezone

from camp.models import Attendance, MonitorAssignment
from tests import factories
from tests.health.factories import HealthFormFactory

from .conftest import assert_accessible, login

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server, settings):
    """A touch-screen phone-sized browser page; any CSP violation fails the test."""
    settings.ALLOWED_HOSTS = ["*"]
    context = browser.new_context(
        locale="fr-CA",
        base_url=live_server.url,
        viewport=PHONE,
        has_touch=True,
        is_mobile=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield page
    context.close()
    assert not violations, violations


def animation_group() -> AuthGroup:
    """The migration's « Animation » group; transactional tests flush it, so make it again."""
    from django.contrib.auth.models import Permission

    group, _created = AuthGroup.objects.get_or_create(name="Animation")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="camp", codename="take_attendance")
    )
    return group


@pytest.fixture
def camp_day():
    """A group whose week is this week, two registered children, one with a severe allergy."""
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    group = factories.GroupFactory(
        activity__name="Camp Les Explorateurs",
        week__starts_on=monday,
        week__ends_on=monday + timedelta(days=4),
    )
    kids = []
    for first in ("Léa", "Noah"):
        family = factories.FamilyFactory()
        child = factories.PersonFactory(
            family=family, first_name=first, authorized_pickups="Mamie Roy (grand-mère)"
        )
        factories.RegistrationFactory(order__family=family, person=child, group=group)
        kids.append(child)
    HealthFormFactory(
        person=kids[0],
        season=group.week.season,
        allergies="Arachides",
        allergy_severity="severe",
        epinephrine=True,
    )
    monitor = factories.UserFactory(email="animatrice@example.org")
    monitor.groups.add(animation_group())
    MonitorAssignment.objects.create(user=monitor, group=group)
    return group, kids, monitor, monday


def test_monitor_takes_attendance_with_taps_and_the_keyboard(phone, camp_day):
    group, (lea, noah), monitor, monday = camp_day
    login(phone, monitor.email, factories.PASSWORD)

    phone.goto("/camp/presences/")
    phone.get_by_role("link", name=monday.strftime("%d").lstrip("0"), exact=False).first.tap()
    phone.locator(f"#kid-{lea.pk}").wait_for()
    assert "Auto-injecteur d'épinéphrine" in phone.locator(f"#kid-{lea.pk}").inner_text()
    assert "2 enfants pas encore notés" in phone.locator("#attendance-summary").inner_text()
    assert_accessible(phone)

    # A tap marks Léa present; the page waits for the row htmx puts back.
    phone.get_by_role("button", name="Présent : Léa").tap()
    phone.locator(f"#kid-{lea.pk}.kid--present").wait_for()

    # The keyboard marks Noah absent: focus the button, press Enter.
    phone.get_by_role("button", name="Absent : Noah").focus()
    phone.keyboard.press("Enter")
    phone.locator(f"#kid-{noah.pk}.kid--absent").wait_for()

    # At the end of the day Léa leaves with her grandmother, chosen with the keyboard.
    phone.get_by_label("Léa part avec").focus()
    phone.get_by_label("Léa part avec").select_option("Mamie Roy (grand-mère)")
    phone.get_by_role("button", name="Parti : Léa").focus()
    phone.keyboard.press("Enter")
    phone.locator(f"#kid-{lea.pk}.kid--left").wait_for()

    phone.get_by_text("Chaque enfant inscrit est noté.").wait_for()
    marks = {a.person_id: a for a in Attendance.objects.filter(group=group, day=monday)}
    assert marks[lea.pk].status == "left" and marks[lea.pk].arrived_at is not None
    assert marks[lea.pk].left_with == "Mamie Roy (grand-mère)"
    assert marks[noah.pk].status == "absent"
    assert_accessible(phone)


def test_staff_pages_have_no_serious_accessibility_violation(phone, camp_day):
    group, _kids, _monitor, _monday = camp_day
    factories.WaitlistEntryFactory(group=group)
    staff = factories.StaffFactory()
    login(phone, staff.email, factories.PASSWORD)

    for path in (
        "/camp/presences/",
        f"/admin/camp/grouppage/{group.pk}/change/",
        f"/admin/camp/grouppage/tableau/{group.week.season_id}/",
        "/admin/camp/familymessage/ecrire/",
    ):
        phone.goto(path)
        phone.locator("main, #content").first.wait_for()
        assert_accessible(phone)
