"""« S'inscrire »: the page shows what a child can take and every refusal in words."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from registrations.models import CartItem
from tests import factories

from .helpers import paid_order, text

URL = reverse("registrations:register")


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


def post(client, person, *groups, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        URL, {"person": person.pk, "groups": [g.pk for g in groups]}, headers=headers
    )


def test_page_lists_the_childs_camps_and_services_by_week_with_places_left(
    parent_client, lea, camp, daycare, transport
):
    page = text(parent_client.get(URL, {"person": lea.pk}))
    assert "Personne à inscrire" in page
    assert "Confirmer l'inscription à ce groupe" in page
    assert "Semaine 1" in page
    assert "Camp Aventure" in page and "Service de garde" in page
    assert "Transport à vélo" in page
    assert "10 places restantes" in page


def test_camp_for_another_age_is_not_listed(parent_client, lea, week):
    factories.GroupFactory(
        week=week, activity=factories.ActivityFactory(name="Camp Ados"), min_age=13, max_age=17
    )
    assert "Camp Ados" not in text(parent_client.get(URL, {"person": lea.pk}))


def test_switching_child_with_htmx_renders_only_the_options(parent_client, noah, camp):
    response = parent_client.get(URL, {"person": noah.pk}, headers={"HX-Request": "true"})
    html = text(response)
    assert 'id="register-options"' in html
    assert "<html" not in html
    assert f'name="person" value="{noah.pk}"' in html


def test_week_parameter_preselects_the_group(parent_client, lea, camp):
    page = text(parent_client.get(URL, {"week": camp.week_id, "group": camp.pk}))
    assert "week--target" in page
    assert f'value="{camp.pk}" id="group-{camp.pk}" checked autofocus' in page


def test_full_group_shows_complet_without_checkbox(parent_client, lea, camp):
    camp.capacity = 1
    camp.save()
    factories.RegistrationFactory(group=camp)
    page = text(parent_client.get(URL, {"person": lea.pk}))
    assert "Complet" in page
    assert f'id="group-{camp.pk}"' not in page


def test_another_familys_child_is_404(parent_client, camp):
    stranger = factories.PersonFactory()
    assert parent_client.get(URL, {"person": stranger.pk}).status_code == 404
    assert post(parent_client, stranger, camp).status_code == 404


def test_pending_family_is_stopped_by_the_gate(client, camp):
    family = factories.FamilyFactory(pending=True)
    child = factories.PersonFactory(family=family)
    client.force_login(family.user)
    assert post(client, child, camp).status_code == 403
    assert not CartItem.objects.exists()


def test_ticked_items_go_to_the_cart_and_the_badge_is_told(parent_client, lea, camp, daycare):
    response = post(parent_client, lea, camp, daycare, htmx=True)
    assert response.headers["HX-Trigger"] == "cartChanged"
    assert "Ajouté à votre panier" in text(response)
    assert CartItem.objects.count() == 2


def test_no_ticked_group_gives_a_message(parent_client, lea, camp):
    response = parent_client.post(URL, {"person": lea.pk})
    assert "Cochez au moins un groupe." in text(response)


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("age", "n'est pas pour l'âge de cet enfant"),
        ("registered", "déjà inscrit à ce groupe"),
        ("in_cart", "déjà dans votre panier"),
        ("camp_same_week", "déjà un autre camp cette semaine"),
        ("service_without_camp", "demande un camp la même semaine"),
        ("not_open", "pas encore ouvertes"),
        ("closed", "sont terminées"),
        ("full", "Ce groupe est complet"),
    ],
)
def test_each_refusal_is_explained_on_the_page(
    parent_client, family, lea, toddler, camp, other_camp, daycare, season, setup, expected
):
    person, groups = lea, [camp]
    if setup == "age":
        person = toddler
    elif setup == "registered":
        paid_order(family=family, items=[(lea, [camp])])
    elif setup == "in_cart":
        post(parent_client, lea, camp)
    elif setup == "camp_same_week":
        post(parent_client, lea, camp)
        groups = [other_camp]
    elif setup == "service_without_camp":
        groups = [daycare]
    elif setup == "not_open":
        family.is_resident = False
        family.save()
        season.opens_at_nonresident = timezone.now() + timedelta(days=1)
        season.prepared_carts = False
        season.save()
    elif setup == "closed":
        season.closes_at = timezone.now() - timedelta(seconds=1)
        season.save()
    elif setup == "full":
        camp.capacity = 0
        camp.save()
    response = post(parent_client, person, *groups)
    assert response.status_code == 200
    html = text(response)
    assert "Non ajouté" in html
    assert expected in html


def test_full_group_offers_the_waiting_list_once_then_says_the_child_is_in_line(
    parent_client, family, lea, camp
):
    camp.capacity = 0
    camp.save()
    page = text(parent_client.get(reverse("registrations:register"), {"person": lea.pk}))
    assert "Confirmer l'inscription en attente" in page

    factories.WaitlistEntryFactory(family=family, person=lea, group=camp)

    page = text(parent_client.get(reverse("registrations:register"), {"person": lea.pk}))
    assert "Confirmer l'inscription en attente" not in page
    assert "En liste d'attente" in page


@pytest.fixture
def waiting_with_daycare(family, lea, camp, daycare):
    """Léa waits for the full camp; the week's daycare was ticked with her entry."""
    from waitlist.services import join_waitlist

    camp.capacity = 0
    camp.save()
    return join_waitlist(family=family, person=lea, group=camp, addons=[daycare])


@pytest.mark.parametrize("htmx", [False, True])
def test_reticking_a_service_that_waits_with_an_entry_says_so_and_links_to_the_file(
    parent_client, lea, daycare, waiting_with_daycare, htmx
):
    response = post(parent_client, lea, daycare, htmx=htmx)
    html = text(response)
    assert response.status_code == 200
    assert "Non ajouté" not in html and "demande un camp la même semaine" not in html
    assert (
        "Service de garde attend déjà avec l'inscription en liste d'attente de Léa "
        "(Camp Aventure, Semaine 1" in html
    )
    entry_link = reverse("accounts:dossier") + f"#waitlist-entry-{waiting_with_daycare.pk}"
    assert f'href="{entry_link}"' in html
    assert not CartItem.objects.exists()


def test_the_service_waiting_with_an_entry_is_marked_on_the_page(
    parent_client, lea, daycare, transport, waiting_with_daycare
):
    page = text(parent_client.get(URL, {"person": lea.pk}))
    assert page.count("Attend déjà avec l'inscription en liste d'attente (Camp Aventure)") == 1
    assert f'aria-describedby="waits-{daycare.pk}"' in page
    assert f'aria-describedby="waits-{transport.pk}"' not in page


def test_a_service_refused_for_another_reason_is_still_refused(
    parent_client, lea, transport, waiting_with_daycare
):
    html = text(post(parent_client, lea, transport))
    assert "Non ajouté" in html and "demande un camp la même semaine" in html
    assert "attend déjà" not in html
