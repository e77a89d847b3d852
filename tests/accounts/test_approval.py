import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse

from accounts import services
from accounts.models import Family
from portal.models import OutgoingEmail
from tests import factories

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:accounts_family_changelist")


def _action(client, action, families, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [f.pk for f in families], **extra}
    return client.post(CHANGELIST, data)


def test_staff_approve_in_bulk_and_each_family_gets_an_email_in_its_language(
    staff_client, staff_user, django_capture_on_commit_callbacks
):
    french = factories.FamilyFactory(pending=True, preferred_language="fr")
    english = factories.FamilyFactory(pending=True, preferred_language="en")

    with django_capture_on_commit_callbacks(execute=True):
        response = _action(staff_client, "approve", [french, english], index=0)

    assert response.status_code == 302
    french.refresh_from_db()
    assert french.status == Family.Status.APPROVED
    assert french.approved_by == staff_user
    assert french.approved_at is not None
    emails = {e.to: e for e in OutgoingEmail.objects.all()}
    assert emails[french.user.email].subject == "Votre compte est approuvé"
    assert emails[english.user.email].subject == "Your account is approved"
    assert all(e.status == OutgoingEmail.Status.SENT for e in emails.values())
    assert sorted(m.to[0] for m in mail.outbox) == sorted(emails)


def test_approving_an_approved_family_sends_no_second_email(staff_user):
    family = factories.FamilyFactory()

    assert services.approve_families(families=[family], by=staff_user) == 0
    assert not OutgoingEmail.objects.exists()


def test_reject_action_asks_for_a_reason_first(staff_client):
    family = factories.FamilyFactory(pending=True)

    response = _action(staff_client, "reject", [family], index=0)

    assert response.status_code == 200
    assert "admin/accounts/family/reject.html" in [t.name for t in response.templates]
    family.refresh_from_db()
    assert family.status == Family.Status.PENDING


def test_reject_without_a_reason_is_refused(staff_client):
    family = factories.FamilyFactory(pending=True)

    response = _action(staff_client, "reject", [family], reason="   ")

    assert response.status_code == 200
    assert response.context["form"].errors
    family.refresh_from_db()
    assert family.status == Family.Status.PENDING
    assert not OutgoingEmail.objects.exists()


def test_reject_with_a_reason_emails_the_reason_in_the_family_language(
    staff_client, staff_user, django_capture_on_commit_callbacks
):
    family = factories.FamilyFactory(pending=True, preferred_language="fr")

    with django_capture_on_commit_callbacks(execute=True):
        response = _action(staff_client, "reject", [family], reason="Adresse hors territoire")

    assert response.status_code == 302
    family.refresh_from_db()
    assert family.status == Family.Status.REJECTED
    assert family.rejection_reason == "Adresse hors territoire"
    assert family.approved_by == staff_user
    email = OutgoingEmail.objects.get(to=family.user.email)
    assert email.subject == "Votre compte n'a pas été approuvé"
    assert "Adresse hors territoire" in email.body_text
    assert email.status == OutgoingEmail.Status.SENT


def test_reject_service_refuses_an_empty_reason(staff_user):
    family = factories.FamilyFactory(pending=True)

    with pytest.raises(services.ApprovalRefused):
        services.reject_families(families=[family], by=staff_user, reason="")


def test_family_list_filters_and_search(staff_client):
    verified = factories.FamilyFactory(pending=True, postal_code="G1A 1A1")
    unverified = factories.FamilyFactory(pending=True, user=factories.UserFactory(verified=False))

    by_status = staff_client.get(CHANGELIST, {"status__exact": "pending", "email_verified": "no"})
    by_postal_code = staff_client.get(CHANGELIST, {"q": "G1A"})

    assert list(by_status.context["cl"].queryset) == [unverified]
    assert list(by_postal_code.context["cl"].queryset) == [verified]


def test_staff_set_the_resident_flag_from_the_list(staff_client):
    family = factories.FamilyFactory(is_resident=False)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": family.pk,
        "form-0-is_resident": "on",
        "_save": "Save",
    }

    response = staff_client.post(CHANGELIST, data)

    assert response.status_code == 302
    family.refresh_from_db()
    assert family.is_resident


def test_outbox_admin_lists_and_resends(staff_client, django_capture_on_commit_callbacks):
    from portal.emails import queue_rendered_email

    email = queue_rendered_email(
        to="x@example.org", subject="Test", body_text="Bonjour", language="fr", kind="test"
    )
    email.status = OutgoingEmail.Status.FAILED
    email.save()
    url = reverse("admin:portal_outgoingemail_changelist")

    assert staff_client.get(url, {"status__exact": "failed"}).status_code == 200
    staff_client.post(url, {"action": "resend_now", ACTION_CHECKBOX_NAME: [email.pk], "index": 0})

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT


def test_the_approval_email_says_when_a_non_resident_family_can_register(staff_user):
    from datetime import timedelta

    from django.utils import timezone

    from portal.words import format_datetime

    later = timezone.now() + timedelta(days=7)
    factories.SeasonFactory(
        name="Été 2027", opens_at=timezone.now() + timedelta(days=1), opens_at_nonresident=later
    )
    family = factories.FamilyFactory(pending=True, preferred_language="fr", is_resident=False)

    services.approve_families(families=[family], by=staff_user)

    email = OutgoingEmail.objects.get(to=family.user.email)
    assert "non résidente" in email.body_text
    expected = "vous pourrez inscrire vos enfants à partir du " + format_datetime(later, "fr")
    assert expected in email.body_text


def test_my_file_shows_residency_and_the_opening_that_applies(client):
    from datetime import timedelta

    from django.utils import timezone

    factories.SeasonFactory(
        name="Été 2027",
        opens_at=timezone.now() + timedelta(days=1),
        opens_at_nonresident=timezone.now() + timedelta(days=8),
    )
    family = factories.FamilyFactory(is_resident=False)
    client.force_login(family.user)

    html = client.get(reverse("accounts:dossier")).content.decode()

    assert "Non-résident" in html
    assert "Les inscriptions ouvrent pour vous le" in html


# « Approuver » / « Refuser » on the family's own page ---------------------------------


def _decision_url(family, decision: str) -> str:
    return reverse(f"admin:accounts_family_{decision}", args=[family.pk])


def test_the_family_page_offers_approve_and_reject(staff_client):
    pending = factories.FamilyFactory(pending=True)
    page = staff_client.get(reverse("admin:accounts_family_change", args=[pending.pk]))
    html = page.content.decode()
    assert f'href="{_decision_url(pending, "approve")}">Approuver</a>' in html
    assert f'href="{_decision_url(pending, "reject")}">Refuser</a>' in html

    approved = factories.FamilyFactory()
    html = staff_client.get(
        reverse("admin:accounts_family_change", args=[approved.pk])
    ).content.decode()
    assert _decision_url(approved, "approve") not in html
    assert _decision_url(approved, "reject") in html


def test_approve_from_the_family_page_asks_first_then_approves_and_emails(
    staff_client, staff_user, django_capture_on_commit_callbacks
):
    family = factories.FamilyFactory(pending=True)
    url = _decision_url(family, "approve")
    assert staff_client.get(url).status_code == 200
    family.refresh_from_db()
    assert family.status == Family.Status.PENDING  # asking changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url)

    assert response["Location"] == reverse("admin:accounts_family_change", args=[family.pk])
    family.refresh_from_db()
    assert family.status == Family.Status.APPROVED and family.approved_by == staff_user
    assert OutgoingEmail.objects.get().subject == "Votre compte est approuvé"
    staff_client.post(url)  # twice: no second email
    assert OutgoingEmail.objects.count() == 1


def test_reject_from_the_family_page_needs_a_reason_and_emails_it(
    staff_client, django_capture_on_commit_callbacks
):
    family = factories.FamilyFactory(pending=True)
    url = _decision_url(family, "reject")
    response = staff_client.post(url, {"reason": "   "})
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    family.refresh_from_db()
    assert family.status == Family.Status.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"reason": "Adresse hors de la ville"})

    assert response.status_code == 302
    family.refresh_from_db()
    assert family.status == Family.Status.REJECTED
    assert family.rejection_reason == "Adresse hors de la ville"
    assert "Adresse hors de la ville" in OutgoingEmail.objects.get().body_text


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_the_decision_pages_need_the_right_to_change_families(client, decision):
    from django.contrib.auth.models import Permission

    family = factories.FamilyFactory(pending=True)
    url = _decision_url(family, decision)
    viewer = factories.ClerkFactory()
    viewer.user_permissions.set(Permission.objects.filter(codename="view_family"))
    for clerk in (factories.ClerkFactory(), viewer):
        client.force_login(clerk)
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "Non"}).status_code == 403
    html = client.get(reverse("admin:accounts_family_change", args=[family.pk])).content.decode()
    assert url not in html  # the viewer sees no button
    family.refresh_from_db()
    assert family.status == Family.Status.PENDING

    client.force_login(factories.ClerkFactory(roles=["Accueil"]))
    assert client.get(url).status_code == 200
