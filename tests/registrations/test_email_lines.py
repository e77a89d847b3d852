"""An order's lines in an email are rendered once for every family with the same camp at the
same price (``email_order_line``); the child's name fills a hole, escaped in the HTML part
only."""

from datetime import date

import pytest

from registrations.templatetags import registrations_tags
from tests import factories
from tests.renderings import count_renderings

from .helpers import paid_order, sent_email

LINE_TEMPLATES = {"emails/_order_line.html", "emails/_order_line.txt"}


@pytest.fixture
def line_renderings(monkeypatch):
    registrations_tags.forget_email_lines()  # kept per process: start as a new worker would
    return count_renderings(monkeypatch, *LINE_TEMPLATES)


def _confirmation(camp, child_name: str):
    family = factories.FamilyFactory()
    child = factories.PersonFactory(
        family=family, first_name=child_name, birth_date=date(2019, 3, 15)
    )
    paid_order(family=family, items=[(child, [camp])])
    email = sent_email("order_confirmation")
    email.delete()  # the next family's is then the only one of its kind
    return email


def test_a_second_confirmation_reuses_the_lines_with_its_own_child(camp, line_renderings):
    first = _confirmation(camp, "Zoé")
    assert sorted(line_renderings) == sorted(LINE_TEMPLATES)  # the HTML line and the text one
    second = _confirmation(camp, 'Léo <b>"&"</b>')

    assert len(line_renderings) == 2  # the second email's line was not rendered again
    assert "- Zoé " in first.body_text and "Zoé" in first.body_html
    assert 'Léo <b>"&"</b>' not in first.body_text
    assert '- Léo <b>"&"</b> ' in second.body_text  # text: as typed
    assert "Camp Aventure" in second.body_text
    assert "Léo &lt;b&gt;&quot;&amp;&quot;&lt;/b&gt;" in second.body_html  # HTML: escaped
    assert "Zoé" not in second.body_text + second.body_html
    assert "\x00" not in second.body_text + second.body_html
