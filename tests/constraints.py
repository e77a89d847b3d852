"""Database constraints under test: whether the database itself refuses a row."""

from collections.abc import Callable

from django.db import IntegrityError, transaction


def refused(create: Callable[[], object]) -> bool:
    """True when ``create()`` breaks a constraint (its savepoint is rolled back)."""
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False
