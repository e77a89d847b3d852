"""WCAG 2.4.11: the sticky « Confirmer » bar never hides the focused checkbox, and a skip
link reaches it without tabbing through every week."""

import pytest

from tests import factories

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_focused_week_is_never_under_the_sticky_confirm_button(page):
    family = factories.FamilyFactory()
    child = factories.PersonFactory(family=family)
    season = factories.SeasonFactory()
    for number in range(1, 11):
        week = factories.WeekFactory(season=season, number=number)
        factories.GroupFactory(week=week)
    page.set_viewport_size({"width": 390, "height": 640})
    login(page, family.user.email, factories.PASSWORD)
    page.goto(f"/inscription/?person={child.pk}")
    confirm = page.locator("#register-confirm")
    confirm.wait_for()

    checkboxes = page.locator("#register-options input[type=checkbox]")
    assert checkboxes.count() >= 5
    for index in range(checkboxes.count()):
        box = checkboxes.nth(index)
        box.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        focused = box.bounding_box()
        bar = confirm.bounding_box()
        assert (
            focused["y"] + focused["height"] <= bar["y"] or focused["y"] >= bar["y"] + bar["height"]
        ), f"checkbox {index} is under the confirm button"


def test_the_skip_link_reaches_confirm(page):
    family = factories.FamilyFactory()
    child = factories.PersonFactory(family=family)
    factories.GroupFactory()
    login(page, family.user.email, factories.PASSWORD)
    page.goto(f"/inscription/?person={child.pk}")
    skip = page.locator(".skip-to-confirm")
    skip.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#register-confirm"
