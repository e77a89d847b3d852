import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from registrations import services
from registrations.models import CartItem, Order
from tests import factories
from waitlist.models import WaitlistEntry

from .conftest import free_a_place, waiting_entry

pytestmark = pytest.mark.django_db
JOIN = reverse("waitlist:join")


def test_joining_from_the_page_redirects_back_with_the_position(parent_client, child, full_group):
    response = parent_client.post(
        JOIN,
        {"person": child.pk, "group": full_group.pk, "next": "/inscription/"},
        follow=True,
    )

    assert response.redirect_chain[0][0] == "/inscription/"
    assert WaitlistEntry.objects.filter(person=child, group=full_group, status="waiting").exists()
    assert "1er sur 1" in response.content.decode()


def test_joining_with_htmx_answers_with_the_partial(parent_client, child, full_group):
    response = parent_client.post(
        JOIN, {"person": child.pk, "group": full_group.pk}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert 'role="status"' in response.content.decode()
    assert WaitlistEntry.objects.filter(person=child).exists()


def test_a_refusal_is_shown_as_a_message_not_an_error(parent_client, child):
    open_group = factories.GroupFactory(capacity=10)

    response = parent_client.post(JOIN, {"person": child.pk, "group": open_group.pk}, follow=True)

    assert response.status_code == 200
    assert "inscrivez-vous normalement" in response.content.decode()
    assert not WaitlistEntry.objects.exists()


def test_joining_with_another_family_child_is_a_404(parent_client, full_group):
    stranger = factories.PersonFactory()

    response = parent_client.post(JOIN, {"person": stranger.pk, "group": full_group.pk})

    assert response.status_code == 404


def test_garbage_ids_are_a_404_not_a_500(parent_client):
    assert parent_client.post(JOIN, {"person": "abc", "group": ""}).status_code == 404


def test_a_family_cannot_leave_another_family_entry(parent_client, full_group):
    foreign = waiting_entry(full_group)

    response = parent_client.post(reverse("waitlist:leave", args=[foreign.pk]))

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == WaitlistEntry.Status.WAITING


def test_leaving_the_list_from_my_file(parent_client, family, child, full_group):
    entry = waiting_entry(full_group, family=family, person=child)

    response = parent_client.post(reverse("waitlist:leave", args=[entry.pk]))

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.CANCELLED


def test_pending_family_is_stopped_at_the_gate(client, full_group):
    family = factories.FamilyFactory(pending=True)
    person = factories.PersonFactory(family=family)
    client.force_login(family.user)

    response = client.post(JOIN, {"person": person.pk, "group": full_group.pk})

    assert response.status_code == 403
    assert not WaitlistEntry.objects.exists()


def test_anonymous_visitor_is_sent_to_log_in(client):
    assert client.post(JOIN).status_code == 302
    assert client.get(reverse("waitlist:entries")).status_code == 302


def test_join_is_post_only(parent_client):
    assert parent_client.get(JOIN).status_code == 405


def test_dossier_section_shows_position_status_deadline_and_pay_link(
    parent_client, family, child, full_group
):
    waiting = waiting_entry(full_group, family=family, person=child)
    other_group = factories.GroupFactory(capacity=1)
    factories.RegistrationFactory(group=other_group)
    offered = waiting_entry(other_group, family=family, person=family.persons.last())
    free_a_place(other_group)
    from waitlist.services import offer_place

    order = offer_place(entry=offered)

    html = parent_client.get(reverse("waitlist:entries")).content.decode()

    assert "1er sur 1" in html
    assert "Quitter la liste" in html
    assert "Refuser l'offre" in html
    assert f"/inscription/commande/{order.public_id}/" in html
    assert reverse("waitlist:leave", args=[waiting.pk]) in html


def test_join_button_reads_confirmer_l_inscription_en_attente(rf, child, full_group):
    request = rf.get("/inscription/")
    request.user = child.family.user
    with translation.override("fr"):
        html = render_to_string(
            "waitlist/_join_button.html",
            {"person": child, "group": full_group, "addon_groups": []},
            request=request,
        )

    assert "Confirmer l'inscription en attente" in html.replace("&#x27;", "'")
    assert f'value="{full_group.pk}"' in html


def test_offer_next_view_is_staff_only(parent_client, full_group):
    response = parent_client.post(reverse("waitlist:offer_next"), {"group": full_group.pk})

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_offer_next_view_offers_the_place(staff_client, full_group):
    entry = waiting_entry(full_group)
    free_a_place(full_group)

    response = staff_client.post(reverse("waitlist:offer_next"), {"group": full_group.pk})

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED
    assert Order.objects.filter(source="waitlist_offer").count() == 1


def test_leaving_asks_first_and_changes_nothing_until_confirmed(
    parent_client, family, child, full_group
):
    entry = waiting_entry(full_group, family=family, person=child)

    response = parent_client.get(reverse("waitlist:leave", args=[entry.pk]))

    assert response.status_code == 200
    assert "Oui, quitter la liste" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING


def test_the_entry_shows_the_services_waiting_with_it(parent_client, family, child, full_group):
    from tests import factories

    entry = waiting_entry(full_group, family=family, person=child)
    daycare = factories.GroupFactory(
        week=full_group.week, activity__kind="daycare", activity__name="Garde du matin"
    )
    entry.addons.add(daycare)

    html = parent_client.get(reverse("accounts:dossier")).content.decode()

    assert "Services en attente avec elle" in html
    assert "Garde du matin" in html


def test_joining_from_the_cart_takes_the_camp_and_its_services_out_of_the_cart(
    parent_client, family, child
):
    """The camp filled after it went in the cart: joining its line from the cart moves it,
    with the week's services of the cart riding along, from the cart to the waiting list."""
    camp = factories.GroupFactory(capacity=1)
    daycare = factories.GroupFactory(
        week=camp.week, activity=factories.ActivityFactory(kind="daycare"), capacity=10
    )
    services.add_to_cart(family=family, person=child, groups=[camp, daycare])
    factories.RegistrationFactory(group=camp)  # another family took the last place
    cart = reverse("registrations:cart")

    response = parent_client.post(
        JOIN, {"person": child.pk, "group": camp.pk, "next": cart}, follow=True
    )

    entry = WaitlistEntry.objects.get(person=child, group=camp, status="waiting")
    assert list(entry.addons.all()) == [daycare]
    assert not CartItem.objects.filter(cart__family=family).exists()
    assert response.redirect_chain[0][0] == cart
    assert "1er sur 1" in response.content.decode()


def test_joining_from_the_cart_leaves_the_other_lines_in_it(parent_client, family, child):
    """Only the child's camp and that week's services leave: a sibling's line for the same
    camp and the child's other weeks stay in the cart."""
    camp = factories.GroupFactory(capacity=2)
    next_week = factories.GroupFactory(week__season=camp.week.season, capacity=10)
    sibling = factories.PersonFactory(family=family, birth_date=child.birth_date)
    services.add_to_cart(family=family, person=child, groups=[camp, next_week])
    services.add_to_cart(family=family, person=sibling, groups=[camp])
    factories.RegistrationFactory.create_batch(2, group=camp)  # the camp filled

    parent_client.post(JOIN, {"person": child.pk, "group": camp.pk})

    assert WaitlistEntry.objects.filter(person=child, group=camp, status="waiting").exists()
    left = CartItem.objects.filter(cart__family=family).values_list("person_id", "group_id")
    assert set(left) == {(child.pk, next_week.pk), (sibling.pk, camp.pk)}
