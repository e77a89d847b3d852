"""The capacity lock (invariant 2): a group's row, locked before its places are counted."""

from collections.abc import Iterable

from portal.locking import lock_rows

from .models import Group


def lock_groups(group_ids: Iterable[int]) -> None:
    """Lock the groups' rows in id order until the end of the caller's transaction."""
    lock_rows(Group, group_ids)
