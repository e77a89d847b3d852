from django.conf import settings


def site(request):
    """Header data every page needs: the municipality and the cart badge."""
    from registrations.selectors import cart_item_count

    family = getattr(request.user, "family", None) if request.user.is_authenticated else None
    return {
        "municipality_name": settings.MUNICIPALITY_NAME,
        "cart_count": cart_item_count(family=family) if family else 0,
    }
