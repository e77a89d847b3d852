"""Encryption at rest for sensitive numbers (Quebec's Law 25: secrets never stored readable).

Fernet (AES + HMAC) from ``cryptography``, keys from ``settings.FIELD_ENCRYPTION_KEYS``:
the first key encrypts, every key decrypts, so a key can be rotated without a migration.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64 bytes)."
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()


def mask(value: str, *, visible: int = 4) -> str:
    """« •••• •••• 5678 »: enough to recognise a number, not to use it."""
    if not value:
        return ""
    shown = value[-visible:] if len(value) > visible else ""
    return "•" * max(len(value) - len(shown), 4) + shown


class EncryptedTextField(models.TextField):
    """A text stored as a Fernet token; Python code only ever sees the clear value.

    Not searchable and not orderable in the database, by design.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return decrypt(value)
        except InvalidToken:
            # A wrong or retired key must not take the page down: the value is unreadable.
            return ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
