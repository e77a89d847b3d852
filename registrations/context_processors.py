from .selectors import cart_badge_count


def cart(request):
    """The header's cart badge."""
    user = request.user
    family = getattr(user, "family", None) if user.is_authenticated else None
    return {"cart_count": cart_badge_count(family=family) if family else 0}
