"""Sign-in by email (allauth's backend), with the family loaded with the user: every
signed-in page needs both, and the gate then costs no second query."""

from allauth.account.auth_backends import AuthenticationBackend

from portal.compiled import CompiledQuery

from .models import User

# Every signed-in request makes this lookup: compiled once per process.
USER_WITH_FAMILY = CompiledQuery(
    lambda *, user_id: User._default_manager.select_related("family").filter(pk=user_id)
)


class UserWithFamilyBackend(AuthenticationBackend):
    def get_user(self, user_id):
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None  # a session holding something else than an id: signed out
        user = USER_WITH_FAMILY.first(user_id=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
