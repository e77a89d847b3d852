from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Users stay active; approval lives on the Family and one gate checks it."""
