"""Row locks (invariant 2): ordered by id, and a long wait becomes ``Busy``. Knows no model."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection
from django.utils.translation import gettext_lazy as _

from .compiled import CompiledQuery
from .errors import DomainError

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout reached

# Test-only switch: the race tests' control runs turn the group locks off to prove they
# can see an oversold group at all. Never change it elsewhere.
LOCKING_ENABLED = True


class Busy(DomainError):
    """Too many families at once: the parent is asked to try again in a moment."""

    code = "busy"

    def __init__(self) -> None:
        super().__init__(
            _("Many families are registering right now. Please try again in a few seconds.")
        )


@contextmanager
def busy_on_lock_timeout() -> Iterator[None]:
    try:
        yield
    except OperationalError as exc:
        sqlstate = getattr(getattr(exc, "__cause__", None), "sqlstate", None)
        if sqlstate == LOCK_NOT_AVAILABLE or "database is locked" in str(exc):
            raise Busy from exc
        raise


def lock_rows(model, ids: Iterable[int]) -> None:
    """Lock rows in id order (no deadlock between two transactions locking the same rows).

    Refuses to run outside a transaction, where the lock would end at once. ``no_key``:
    the rows are only referenced, so foreign-key checks of inserts are not blocked.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("lock_rows() needs transaction.atomic()")
    if not LOCKING_ENABLED:
        return
    lock = _LOCKS.get(model)
    if lock is None:
        lock = _LOCKS.setdefault(
            model,
            CompiledQuery(
                lambda *, ids: (
                    model.objects.select_for_update(no_key=True)
                    .filter(pk__in=ids)
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
            ),
        )
    lock.all(ids=sorted(set(ids)))


# Each checkout locks its groups: the lock's read is compiled once per model.
_LOCKS: dict[type, CompiledQuery] = {}
