from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.db import DatabaseError
from django.urls import reverse
from django.utils import translation

from portal.emails import queue_rendered_email, render_email, send_key_email

from .models import Family

# Context entries of allauth's emails that log in, reset a password or confirm an address.
KEY_CONTEXT_NAMES = frozenset({"key", "code", "activate_url", "password_reset_url", "token"})

# allauth's emails rewritten in the town's layout and words: templates/emails/account/<name>.
OUR_ACCOUNT_EMAILS = frozenset(
    {
        "account_already_exists",
        "email_changed",
        "email_confirm",
        "email_confirmation",
        "email_confirmation_signup",
        "email_deleted",
        "password_changed",
        "password_reset",
        "password_reset_key",
        "password_set",
        "unknown_account",
    }
)


class AccountAdapter(DefaultAccountAdapter):
    """Users stay active; approval lives on the Family and one gate checks it."""

    def authenticate(self, request, **credentials):
        """A sign-in the database could not answer is no failed attempt: allauth has already
        counted it against the login and the address, so a parent pressing « Réessayer »
        during an outage would find the account locked once the database is back."""
        try:
            return super().authenticate(request, **credentials)
        except DatabaseError:
            self._rollback_login_failed_rl_usage()
            raise

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails go through the outbox too, in the user's language and in the
        town's layout (``emails/account/``); those carrying a key are sent from memory and
        stored redacted (a clerk reading the outbox must not be able to reset the
        superuser's password)."""
        language = self._language_for(email)
        name = template_prefix.rsplit("/", 1)[-1]
        if template_prefix.startswith("account/email/") and name in OUR_ACCOUNT_EMAILS:
            subject, body_text, body_html = render_email(
                f"account/{name}", self._context(email, context), language=language
            )
        else:  # an allauth email we have not rewritten (second factor notices): its own text
            with translation.override(language):
                message = self.render_mail(template_prefix, email, self._context(email, context))
            subject, body_text = message.subject, message.body
            body_html = next(
                (
                    c
                    for c, mimetype in getattr(message, "alternatives", [])
                    if mimetype == "text/html"
                ),
                "",
            )
        carries_key = any(context.get(name) for name in KEY_CONTEXT_NAMES)
        send = send_key_email if carries_key else queue_rendered_email
        send(
            to=email,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            language=language,
            kind=name[:64],
        )

    def _context(self, email: str, context: dict) -> dict:
        # Same context as DefaultAccountAdapter.send_mail, without sending.
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        if "signup_url" not in ctx:
            ctx["signup_url"] = settings.SITE_URL + reverse("account_signup")
        return ctx

    def _language_for(self, email: str) -> str:
        family = Family.objects.filter(user__email__iexact=email).only("preferred_language").first()
        if family is not None:
            return family.preferred_language
        # No family (staff, or an unknown address): the language of the page that asked.
        return (translation.get_language() or "fr")[:2]

    def get_email_verification_redirect_url(self, email_address) -> str:
        """After the link in the email: the page saying the administration approves accounts."""
        return reverse("accounts:pending")
