from typing import Any

from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "discovery"
    verbose_name = "Publishing for discovery"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from certificates.signals import certificate_invalidated, certificate_issued
        from discovery import checks  # noqa: F401  (registers the system checks)

        certificate_issued.connect(_follow_renewal, dispatch_uid="discovery-follow-renewal")
        certificate_invalidated.connect(_withdraw, dispatch_uid="discovery-withdraw")


def _follow_renewal(sender: object, *, certificate: Any, renews: Any, **kwargs: Any) -> None:
    from discovery.services import publishing

    publishing.follow_renewal(certificate, renews)


def _withdraw(sender: object, *, certificate: Any, status: str, **kwargs: Any) -> None:
    from discovery.services import publishing

    publishing.withdraw_invalidated(certificate, status)
