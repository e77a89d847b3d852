import uuid
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Family, Person
from activities.models import Activity, Group, Week


class Cart(models.Model):
    """One open cart per family. A cart reserves nothing."""

    family = models.OneToOneField(
        Family, verbose_name=_("family"), on_delete=models.CASCADE, related_name="cart"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self) -> str:
        return str(self.family)


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE)
    group = models.ForeignKey(Group, verbose_name=_("group"), on_delete=models.CASCADE)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("cart item")
        verbose_name_plural = _("cart items")
        ordering = ["person__first_name", "group__week__number", "group__activity__kind"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "person", "group"], name="cart_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.group}"


class Order(models.Model):
    """cart -> ``pending_payment`` (its holds run until ``hold_expires_at``; its lines are
    frozen) -> ``paid`` | released (``expired``, ``cancelled``, ``declined``: holds freed)
    -> ``refunded`` when every line is refunded (a line alone: its registration is
    cancelled and a refund recorded against it). Each transition is one function of
    ``registrations.services.lifecycle``."""

    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
        PAID = "paid", _("Paid")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")
        DECLINED = "declined", _("Payment declined")
        REFUNDED = "refunded", _("Refunded")

    RELEASED = (Status.EXPIRED, Status.CANCELLED, Status.DECLINED)

    class Source(models.TextChoices):
        CART = "cart", _("Cart")
        WAITLIST_OFFER = "waitlist_offer", _("Waiting-list offer")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    family = models.ForeignKey(
        Family, verbose_name=_("family"), on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.PENDING_PAYMENT,
        db_index=True,
    )
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.CART
    )
    total = models.DecimalField(_("total"), max_digits=10, decimal_places=2, default=Decimal("0"))
    provider = models.CharField(_("payment provider"), max_length=16)
    provider_reference = models.CharField(
        _("provider reference"), max_length=255, blank=True, db_index=True
    )
    hold_expires_at = models.DateTimeField(_("hold expires at"))
    language = models.CharField(_("language"), max_length=8, default="fr")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"C-{self.pk:06d}" if self.pk else "C-??????"


class RegistrationQuerySet(models.QuerySet):
    def occupying(self, now: datetime | None = None):
        """Registrations that take a place: confirmed, or held with an unexpired hold."""
        now = now or timezone.now()
        return self.filter(
            Q(status=Registration.Status.CONFIRMED)
            | Q(status=Registration.Status.HELD, hold_expires_at__gt=now)
        )


ACTIVE_STATUSES = ("held", "confirmed")


class Registration(models.Model):
    """A person in a group through an order. ``week`` and ``kind`` copy the group's, so that
    the database itself refuses a second camp in the same week."""

    class Status(models.TextChoices):
        HELD = "held", _("Held, awaiting payment")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="registrations"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="registrations"
    )
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.PROTECT, related_name="registrations"
    )
    week = models.ForeignKey(
        Week, verbose_name=_("week"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Activity.Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.HELD
    )
    price = models.DecimalField(_("price"), max_digits=8, decimal_places=2)
    # Family pricing, frozen with the price (``registrations.pricing``): the child's rank
    # among the family's camps of that week (camps only) and what it took off the price.
    family_rank = models.PositiveSmallIntegerField(
        _("child's rank that week"), null=True, blank=True
    )
    family_reduction = models.DecimalField(
        _("family-pricing reduction"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    hold_expires_at = models.DateTimeField(_("hold expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["week__number", "person__first_name"]
        indexes = [
            models.Index(
                fields=["group", "status", "hold_expires_at"], name="registration_occupancy"
            ),
        ]
        constraints = [
            # The group first: the same index then counts a group's places (availability),
            # whatever the planner's statistics (analyzed while empty, it picked this index
            # for that count and read all of it for each group when the person came first).
            models.UniqueConstraint(
                fields=["group", "person"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="registration_once_per_group",
            ),
            models.UniqueConstraint(
                fields=["person", "week"],
                condition=Q(status__in=ACTIVE_STATUSES, kind="camp"),
                name="registration_one_camp_per_week",
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(hold_expires_at__isnull=False),
                name="registration_hold_has_expiry",
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0), name="registration_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(family_reduction__gte=0),
                name="registration_family_reduction_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.group}"

    @property
    def list_price(self) -> Decimal:
        """The group's price before the family-pricing reduction."""
        return self.price + self.family_reduction

    @property
    def family_pricing_label(self) -> str:
        """« Tarif 2e enfant » when the line was reduced, else empty."""
        from .pricing import rank_label

        return rank_label(self.family_rank) if self.family_reduction else ""


class Payment(models.Model):
    """Money that moved (or must move) at the provider: a charge or a refund.

    A refund is recorded ``pending`` in the transaction that decides it, then sent to
    the provider after commit; the provider's answer (or its webhook) makes it
    ``succeeded`` or ``failed``. A charge or refund reference is stored once."""

    class Kind(models.TextChoices):
        CHARGE = "charge", _("Charge")
        REFUND = "refund", _("Refund")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending at the provider")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="payments"
    )
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
    )
    refund_of = models.ForeignKey(
        "self",
        verbose_name=_("refund of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds_made",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUCCEEDED
    )
    provider = models.CharField(_("payment provider"), max_length=16)
    provider_reference = models.CharField(_("provider reference"), max_length=255, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="cad")
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "kind", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="payment_reference_once",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ({self.order})"


class WebhookEvent(models.Model):
    """Each provider event id is stored once, so a replayed webhook is a no-op."""

    provider = models.CharField(_("payment provider"), max_length=16)
    event_id = models.CharField(_("event id"), max_length=255)
    event_type = models.CharField(_("event type"), max_length=100)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"


class ReceiptCounter(models.Model):
    """The last receipt number of a year: one row per year, locked (``select_for_update``)
    by the transaction that records a payment, so numbers follow each other with no gap
    and none is ever reused (a rolled-back payment rolls its number back with it)."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("receipt counter")
        verbose_name_plural = _("receipt counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Receipt(models.Model):
    """The numbered receipt of one payment or one refund (« R-2027-000042 »)."""

    payment = models.OneToOneField(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="receipt"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="receipt_number_once"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"R-{self.year}-{self.sequence:06d}"
