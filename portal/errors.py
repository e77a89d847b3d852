"""The one domain error: a refusal with a message for people and a code for programs.

Services raise it (or a subclass); views and admin actions catch ``DomainError`` once
and show ``message``. Tests assert ``code``, not the wording.
"""

from django.utils.functional import Promise


class DomainError(Exception):
    code = "refused"

    def __init__(self, message: str | Promise, code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return str(self.message)
