"""Ids typed or tampered with in a URL or a form."""

MAX_ID = 2**63 - 1  # the largest primary key any supported database stores


def to_id(value) -> int | None:
    """A positive database id, or None for anything else ("abc", "-1", 10**30...)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None
