from allauth.account.forms import SignupForm


class FamilySignupForm(SignupForm):
    """Sign-up with the family information."""
