"""``{{ email|resendable }}``: the family's delivery log offers « Renvoyer » on these."""

from django import template

from portal.emails import can_resend

register = template.Library()


@register.filter
def resendable(email) -> bool:
    return can_resend(email)
