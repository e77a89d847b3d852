from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WaitlistConfig(AppConfig):
    name = "waitlist"
    verbose_name = _("Waiting list")

    def ready(self) -> None:
        from registrations import signals

        from . import receivers

        signals.order_paid.connect(receivers.order_paid, dispatch_uid="waitlist.order_paid")
        signals.order_released.connect(
            receivers.order_released, dispatch_uid="waitlist.order_released"
        )
