"""Row locks on capacity (invariant 2): ordered by id, and a long wait becomes ``Busy``."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import OperationalError
from django.utils.translation import gettext_lazy as _

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout reached


class Busy(Exception):
    """Too many families at once: the parent is asked to try again in a moment."""

    message = _("Many families are registering right now. Please try again in a few seconds.")


@contextmanager
def busy_on_lock_timeout() -> Iterator[None]:
    try:
        yield
    except OperationalError as exc:
        sqlstate = getattr(getattr(exc, "__cause__", None), "sqlstate", None)
        if sqlstate == LOCK_NOT_AVAILABLE or "database is locked" in str(exc):
            raise Busy from exc
        raise


def lock_groups(group_ids: Iterable[int]) -> list:
    """Lock the groups' rows in id order (no deadlock between two checkouts). Needs atomic()."""
    from activities.models import Group

    return list(Group.objects.select_for_update().filter(pk__in=set(group_ids)).order_by("pk"))
