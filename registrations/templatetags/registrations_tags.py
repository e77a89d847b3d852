from django import template
from django.utils.safestring import SafeString

from portal.fragments import FragmentCache
from registrations.selectors import FamilyFile, GroupOption, family_registrations

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
