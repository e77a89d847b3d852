"""``make run``'s embedded default (SQLite, no Redis, Celery eager) plays a parent's whole
visit: the suite runs on PostgreSQL, and reads compiled for PostgreSQL once broke checkout
on SQLite without any test seeing it."""

import os

from tests.load.drill_processes import manage

VISIT = r"""
import re
from django.test import Client
from accounts.models import User
from activities.models import Group
from registrations.models import Order
from portal.models import OutgoingEmail

client = Client()
client.force_login(User.objects.get(email="parent@example.org"))
assert client.get("/activites/catalogue/").status_code == 200
page = client.get("/inscription/").content.decode()
person = re.search(r'<option value="(\d+)"', page)  # the first child of the family
page = client.get(f"/inscription/?person={person.group(1)}").content.decode()
offered = {int(pk) for pk in re.findall(r'name="groups" value="(\d+)"', page)}
group = Group.objects.filter(pk__in=offered, activity__kind="camp").order_by("pk").first().pk
added = client.post("/inscription/", {"person": person.group(1), "groups": [group]})
assert added.status_code in (200, 302), added.status_code
assert client.get("/inscription/panier/").status_code == 200
paying = client.post("/inscription/panier/payer/")
assert "paiement-simule" in paying["Location"], paying["Location"]
done = client.post(paying["Location"], {"action": "pay"})
assert done.status_code == 302, done.status_code
assert client.get(done["Location"]).status_code == 200
order = Order.objects.filter(family__user__email="parent@example.org").latest("pk")
assert order.status == Order.Status.PAID, order.status
email = OutgoingEmail.objects.filter(kind="order_confirmation").latest("pk")
assert email.status == OutgoingEmail.Status.SENT and order.number in email.subject
print("visit ok", order.number)
"""


def test_a_parent_registers_and_pays_on_the_embedded_default(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY")
    }
    env.update(DEBUG="1", VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="portal.settings")

    manage("migrate", "--noinput", env=env, timeout=240)
    manage("load_demo", env=env, timeout=240)
    assert "visit ok" in manage("shell", "-c", VISIT, env=env, timeout=240)
    assert (tmp_path / "db.sqlite3").exists() and any((tmp_path / "emails").iterdir())
