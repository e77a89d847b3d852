from django import template
from django.urls import reverse, reverse_lazy
from django.utils.safestring import SafeString

from accounts.models import Person
from portal.fragments import FragmentCache
from registrations.models import Registration
from registrations.selectors import CartLine, FamilyFile, GroupOption, family_registrations

register = template.Library()


@register.simple_tag
def family_file(family) -> FamilyFile | None:
    """« Mon dossier »: registrations and orders (``{% family_file family as f %}``)."""
    return family_registrations(family=family) if family is not None else None


_options = FragmentCache("registrations/_group_option.html", max_entries=5000)
_places_left = FragmentCache("registrations/_places_left.html", max_entries=500)
_NO_PLACES_LEFT = {"places_left": ""}


@register.simple_tag
def group_option(option: GroupOption, *, oob: bool = False, target_group=None) -> SafeString:
    """One option of « S'inscrire », rendered once per distinct content: the same group looks
    the same to every family (``portal.fragments``). The places left change at every payment
    of the rush: they fill a hole of the kept option instead of making a new one."""
    group, waits_with = option.group, option.waits_with
    checked = target_group is not None and group.pk == target_group
    facts = (
        group.pk,
        group.activity.name,
        group.activity.kind,
        group.min_age,
        group.max_age,
        option.price,
        option.status,
        (waits_with.group.activity.name if waits_with else None),
        oob,
        checked,
    )
    holes = _NO_PLACES_LEFT
    if option.status == "available":
        free = option.availability.public_free
        holes = {"places_left": _places_left.render((free,), {"free": free})}
    context = {
        "option": option,
        "oob": oob,
        "checked": checked,
        "places_left": _options.hole("places_left"),
    }
    return _options.render(facts, context, holes=holes)


_cart_lines = FragmentCache("registrations/_cart_line.html", max_entries=5000)
_EVERY_LINE = {
    "csrf_token": _cart_lines.hole("csrf"),
    "remove_url": _cart_lines.hole("remove_url"),
    "person_name": _cart_lines.hole("person_name"),
    "person": {"pk": _cart_lines.hole("person_pk")},
    "next_url": reverse_lazy("registrations:cart"),  # reversed only when a line is rendered
}


@register.simple_tag(takes_context=True)
def cart_line(context, line: CartLine, *, person: Person) -> SafeString:
    """One row of the cart, rendered once per distinct content for every family: the same
    camp at the same price, in the same state, looks the same in every cart. What is the
    family's own (the item to remove, the child's name, the CSRF token) fills a hole."""
    group = line.item.group
    refusal = line.refusal
    facts = (
        group.pk,
        group.activity.name,
        group.week.label,
        line.price,
        line.reduction,
        line.reduction_label,
        line.in_pending_order,
        (refusal.code, str(refusal.message)) if refusal is not None else None,
    )
    render_context = context.render_context
    if "cart_line_csrf" not in render_context:  # one masked token per page, not per line
        render_context["cart_line_csrf"] = str(context.get("csrf_token", ""))
    holes = {
        "csrf": render_context["cart_line_csrf"],
        "remove_url": reverse("registrations:cart_remove", args=[line.item.pk]),
        "person_name": str(person),
        "person_pk": str(person.pk),
    }
    fragment_context = {
        "line": line,
        "activity": group.activity.name,
        "week": group.week.label,
        **_EVERY_LINE,
    }
    return _cart_lines.render(facts, fragment_context, holes=holes)


_email_lines = {
    "html": FragmentCache("emails/_order_line.html", max_entries=5000),
    "txt": FragmentCache("emails/_order_line.txt", max_entries=5000, autoescape=False),
}


@register.simple_tag
def email_order_line(registration: Registration, part: str) -> SafeString:
    """One line of an order in an email's ``"html"`` or ``"txt"`` part, rendered once per
    distinct content for every family (the worker renders hundreds of confirmations on
    opening night, their lines mostly the same camps): the child's name fills a hole."""
    group, week = registration.group, registration.week
    activity = group.activity
    facts = (
        activity.name,
        activity.kind,
        activity.site,
        week.label,
        registration.price,
        registration.family_reduction,
        registration.family_pricing_label,
    )
    cache = _email_lines[part]
    context = {"r": registration, "kind": activity.kind_label, "person": cache.hole("person")}
    return cache.render(facts, context, holes={"person": str(registration.person)})


def forget_cart_lines() -> None:
    """Tests: start from nothing."""
    _cart_lines.clear()


def forget_email_lines() -> None:
    """Tests: start from nothing."""
    for cache in _email_lines.values():
        cache.clear()
