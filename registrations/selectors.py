from accounts.models import Family

from .models import CartItem


def cart_item_count(*, family: Family) -> int:
    return CartItem.objects.filter(cart__family=family).count()
