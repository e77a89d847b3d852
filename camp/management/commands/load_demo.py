"""Demo data for `make run`: a summer of camps, families, full groups and a waiting list.

Idempotent: every row is looked up by a natural key before being created, so running the
command again changes nothing.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Family, Person, User
from activities.models import Activity, Group, Season, Week
from activities.services import generate_groups
from registrations.models import Order, Registration
from waitlist.models import WaitlistEntry

PASSWORD = "Camps-de-jour-2027!"
SEASON_NAME = "Camps de jour — Été 2027"
FIRST_MONDAY = date(2027, 6, 28)
WEEKS = 8
ADMIN_EMAIL = "admin@example.org"
PARENT_EMAIL = "parent@example.org"
PENDING_EMAIL = "en-attente@example.org"
FILLER_FAMILIES = 20  # enough children to fill a camp group of 20

# name, kind, capacity, resident price, non-resident price, min age, max age
ACTIVITIES = [
    ("Camp de jour 5-7 ans", Activity.Kind.CAMP, 20, "185.00", "260.00", 5, 7),
    ("Camp de jour 8-10 ans", Activity.Kind.CAMP, 20, "185.00", "260.00", 8, 10),
    ("Camp de jour 11-13 ans", Activity.Kind.CAMP, 20, "195.00", "275.00", 11, 13),
    ("Service de garde", Activity.Kind.DAYCARE, 30, "45.00", "65.00", 5, 13),
    ("Transport à vélo", Activity.Kind.TRANSPORT, 10, "25.00", "35.00", 8, 13),
]


class Command(BaseCommand):
    help = "Load the demo season, families and registrations (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        self.now = timezone.now()
        self.user(ADMIN_EMAIL, is_staff=True, is_superuser=True)
        parent = self.family(
            PARENT_EMAIL, "Marie", "Tremblay", status=Family.Status.APPROVED, is_resident=True
        )
        lea = self.child(parent, "Léa", date(2019, 3, 15))  # 8 in summer 2027
        noah = self.child(parent, "Noah", date(2016, 5, 2))  # 11 in summer 2027
        pending = self.family(
            PENDING_EMAIL, "Julien", "Gagnon", status=Family.Status.PENDING, is_resident=False
        )
        self.child(pending, "Zoé", date(2020, 8, 30))

        season = self.season()
        groups = self.groups(season)
        week1, week2 = (season.weeks.get(number=n) for n in (1, 2))
        camp_8_10 = groups["Camp de jour 8-10 ans"]
        camp_11_13 = groups["Camp de jour 11-13 ans"]
        transport = groups["Transport à vélo"]

        # Week 1: camp 8-10 and bike transport full; week 2: camp 8-10 with 3 places left.
        fillers = [self.filler_child(n) for n in range(1, FILLER_FAMILIES + 1)]
        for n, child in enumerate(fillers):
            self.confirmed(child, camp_8_10[week1])
            if n < transport[week1].capacity:
                self.confirmed(child, transport[week1])
            if n < camp_8_10[week2].capacity - 3:
                self.confirmed(child, camp_8_10[week2])
        self.confirmed(noah, camp_11_13[week1])
        # Waiting lists to look at: Léa for the full camp, Noah for the full transport.
        self.waiting(lea, camp_8_10[week1])
        self.waiting(noah, transport[week1])
        self.report()

    # --- people -------------------------------------------------------------

    def user(self, email: str, *, login: bool = True, **flags) -> User:
        user, created = User.objects.get_or_create(email=email, defaults=flags)
        if created:
            # Families that only fill groups get no password: fewer slow hashes, no extra logins.
            if login:
                user.set_password(PASSWORD)
            else:
                user.set_unusable_password()
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def family(
        self, email: str, first: str, last: str, *, status: str, is_resident: bool, login=True
    ) -> Family:
        family, _ = Family.objects.get_or_create(
            user=self.user(email, login=login),
            defaults={
                "guardian_first_name": first,
                "guardian_last_name": last,
                "address": "12 rue des Érables",
                "city": "Saint-Exemple",
                "postal_code": "J1H 2K3",
                "phone": "819 555-0123",
                "is_resident": is_resident,
                "status": status,
                "approved_at": self.now if status == Family.Status.APPROVED else None,
                "privacy_policy_version": settings.PRIVACY_POLICY_VERSION,
                "privacy_policy_accepted_at": self.now,
            },
        )
        return family

    def child(self, family: Family, first_name: str, birth_date: date) -> Person:
        person, _ = Person.objects.get_or_create(
            family=family,
            first_name=first_name,
            defaults={"last_name": family.guardian_last_name, "birth_date": birth_date},
        )
        return person

    def filler_child(self, n: int) -> Person:
        family = self.family(
            f"famille{n:02d}@example.org",
            "Parent",
            f"Démo{n:02d}",
            status=Family.Status.APPROVED,
            is_resident=True,
            login=False,
        )
        return self.child(family, f"Enfant{n:02d}", date(2018, 4, 10))  # 9 in summer 2027

    # --- catalogue ----------------------------------------------------------

    def season(self) -> Season:
        today = timezone.localtime(self.now).date()
        opens = timezone.make_aware(datetime.combine(today - timedelta(days=1), time(9)))
        closes = max(timezone.make_aware(datetime(2027, 6, 20, 23, 59)), opens + timedelta(days=90))
        season, _ = Season.objects.get_or_create(
            name=SEASON_NAME,
            defaults={
                "opens_at": opens,
                "opens_at_nonresident": opens + timedelta(days=7),
                "closes_at": closes,
                "age_reference_date": FIRST_MONDAY,
                "offer_window_hours": 48,
                # Family pricing: « 2e enfant 20 $ de moins, 3e enfant et suivants 35 $ ».
                "second_child_reduction_resident": Decimal("20"),
                "third_child_reduction_resident": Decimal("35"),
                "second_child_reduction_nonresident": Decimal("25"),
                "third_child_reduction_nonresident": Decimal("45"),
            },
        )
        for number in range(1, WEEKS + 1):
            starts_on = FIRST_MONDAY + timedelta(weeks=number - 1)
            Week.objects.get_or_create(
                season=season,
                number=number,
                defaults={"starts_on": starts_on, "ends_on": starts_on + timedelta(days=4)},
            )
        return season

    def groups(self, season: Season) -> dict[str, dict[Week, Group]]:
        by_activity = {}
        for name, kind, capacity, resident, nonresident, min_age, max_age in ACTIVITIES:
            activity, _ = Activity.objects.get_or_create(
                name=name, kind=kind, defaults={"site": "Parc des Érables"}
            )
            generate_groups(
                season=season,
                activities=[activity],
                capacity=capacity,
                price_resident=Decimal(resident),
                price_nonresident=Decimal(nonresident),
                min_age=min_age,
                max_age=max_age,
            )
            by_activity[name] = {
                group.week: group
                for group in Group.objects.filter(activity=activity, week__season=season)
            }
        return by_activity

    # --- registrations ------------------------------------------------------

    def confirmed(self, person: Person, group: Group) -> None:
        if Registration.objects.filter(person=person, group=group).exists():
            return
        order, _ = Order.objects.get_or_create(
            family=person.family,
            provider="simulated",
            provider_reference="demo",
            defaults={
                "status": Order.Status.PAID,
                "hold_expires_at": self.now,
                "paid_at": self.now,
            },
        )
        price = group.price_for(is_resident=person.family.is_resident)
        Registration.objects.create(
            order=order,
            person=person,
            group=group,
            week=group.week,
            kind=group.activity.kind,
            status=Registration.Status.CONFIRMED,
            price=price,
            confirmed_at=self.now,
        )
        order.total += price
        order.save(update_fields=["total"])

    def waiting(self, person: Person, group: Group) -> None:
        WaitlistEntry.objects.get_or_create(
            family=person.family, person=person, group=group, defaults={"language": "fr"}
        )

    def report(self) -> None:
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  Password for every demo login: {PASSWORD}")
        self.stdout.write(f"  Staff (admin, /admin/):          {ADMIN_EMAIL}")
        self.stdout.write(f"  Approved resident family:        {PARENT_EMAIL} (Léa 8, Noah 11)")
        self.stdout.write(f"  Family awaiting approval:        {PENDING_EMAIL}")
