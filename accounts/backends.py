"""Sign-in by email (allauth's backend), with the family loaded with the user: every
signed-in page needs both, and the gate then costs no second query."""

from allauth.account.auth_backends import AuthenticationBackend

from .models import User


class UserWithFamilyBackend(AuthenticationBackend):
    def get_user(self, user_id):
        user = User._default_manager.select_related("family").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
