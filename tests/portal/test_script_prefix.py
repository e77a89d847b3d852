"""A town may serve the portal below a path of its own site (``/camps/``): the middlewares
that find a view's path once find it as ``request.path_info`` has it, below that prefix."""

import pytest
from django.test import Client
from django.urls import reverse, set_script_prefix

pytestmark = pytest.mark.django_db

PREFIX = "/camps"


@pytest.fixture
def paths():
    """The views' paths, then the prefix the WSGI handler sets for each request below it."""
    found = {
        "catalogue": reverse("activities:catalogue"),
        "refresh": reverse("registrations:waiting_room_status"),
    }
    set_script_prefix(PREFIX + "/")
    yield found
    set_script_prefix("/")


def test_the_pages_open_below_a_prefix(paths):
    client = Client()  # a new process: its middlewares find their paths below the prefix

    assert client.get(paths["catalogue"], SCRIPT_NAME=PREFIX).status_code == 200


def test_the_waiting_rooms_refresh_is_still_served_bare_below_a_prefix(paths):
    client = Client()

    response = client.get(paths["refresh"], SCRIPT_NAME=PREFIX, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "Content-Security-Policy" not in response.headers  # ahead of the whole stack
    assert response["HX-Redirect"].startswith(PREFIX + "/")  # no ticket: back to the pages
