"""An order's lines in an email are rendered once for every family with the same camp at the
same price (``email_order_line``); the child's name fills a hole, escaped in the HTML part
only."""

from datetime import date

import pytest
from django.core import mail

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


@pytest.mark.django_db
def test_a_long_order_keeps_its_html_part_8bit_with_every_line_under_998_characters():
    """RFC 5322 caps a line at 998 characters: a longer line makes Django encode the whole
    HTML part quoted-printable (an unreadable source, and about 1 ms more of the worker's CPU
    per email). The rows of a long order each keep a line of their own."""
    season = factories.SeasonFactory()
    weeks = [factories.WeekFactory(season=season) for _ in range(4)]
    family = factories.FamilyFactory()
    children = [factories.PersonFactory(family=family) for _ in range(3)]
    camps = [factories.GroupFactory(week=week) for week in weeks for _ in range(3)]
    paid_order(family=family, items=[(child, camps[i::3]) for i, child in enumerate(children)])
    mail.outbox.clear()

    email = sent_email("order_confirmation")

    assert email.body_html.count("<tr>") >= 12 + 2  # every line, the head and the total
    (message,) = mail.outbox
    html = message.message().get_payload()[1]
    assert html.get_content_type() == "text/html"
    assert html["Content-Transfer-Encoding"] == "8bit"
    assert max(len(line) for line in message.message().as_bytes().splitlines()) <= 998
