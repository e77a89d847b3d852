import re
from datetime import date

import pytest

from activities.models import Activity
from tests import factories

from .conftest import after_htmx_settles, assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def catalogue_data():
    week = factories.WeekFactory(number=1, starts_on=date(2027, 6, 28), ends_on=date(2027, 7, 2))
    factories.GroupFactory(
        week=week, activity=factories.ActivityFactory(name="Camp Aventure"), min_age=5, max_age=7
    )
    daycare = factories.GroupFactory(
        week=week,
        activity=factories.ActivityFactory(name="Service de garde", kind=Activity.Kind.DAYCARE),
        capacity=1,
    )
    factories.RegistrationFactory(group=daycare)


def test_catalogue_filters_in_place_with_a_shareable_url_and_passes_axe(page, catalogue_data):
    page.goto("/activites/catalogue/")
    assert page.get_by_role("heading", name="Semaine 1 : 28 juin au 2 juillet").is_visible()
    assert page.get_by_text("Complet – liste d'attente").is_visible()
    assert page.get_by_text("20 places restantes").is_visible()
    assert_accessible(page)

    # The daycare heading is already there before the filter: wait for the swap itself.
    after_htmx_settles(page, lambda: page.get_by_label("Type").select_option("daycare"))
    page.wait_for_url(re.compile(r"kind=daycare"))
    results = page.locator("#catalogue-results")
    results.get_by_role("heading", name="Service de garde").wait_for()
    assert results.get_by_role("heading", name="Camp Aventure").count() == 0
    # The form is still the same element: only the results were swapped.
    assert page.locator("form.catalogue-filters").count() == 1


def test_catalogue_reports_a_bad_age_without_javascript(browser, live_server, catalogue_data):
    context = browser.new_context(locale="fr-CA", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/activites/catalogue/?age=abc")
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_role("heading", name="Camp Aventure").is_visible()
    context.close()
