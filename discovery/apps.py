from typing import Any

from django.apps import AppConfig

MY_CERTIFICATE_ACTION = "discovery/my_certificate_action.html"


class DiscoveryConfig(AppConfig):
    name = "discovery"
    verbose_name = "Publishing for discovery"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from certificates import extensions
        from certificates.signals import certificate_invalidated, certificate_issued
        from discovery import checks  # noqa: F401  (registers the system checks)
        from discovery.services.published import published_per_domain

        certificate_issued.connect(_follow_renewal, dispatch_uid="discovery-follow-renewal")
        certificate_invalidated.connect(_withdraw, dispatch_uid="discovery-withdraw")
        # The admin dashboard's "published per domain" and the publish button on each row of
        # My certificates (certificates never imports discovery).
        extensions.count_published_with(published_per_domain)
        extensions.notes_on_adding_with(_notes_on_adding)
        if MY_CERTIFICATE_ACTION not in extensions.CERTIFICATE_ACTION_TEMPLATES:
            extensions.CERTIFICATE_ACTION_TEMPLATES.append(MY_CERTIFICATE_ACTION)


def _follow_renewal(sender: object, *, certificate: Any, renews: Any, **kwargs: Any) -> None:
    from discovery.services import publishing

    publishing.follow_renewal(certificate, renews)


def _withdraw(sender: object, *, certificate: Any, status: str, **kwargs: Any) -> None:
    from discovery.services import publishing

    publishing.withdraw_invalidated(certificate, status)


def _notes_on_adding(certificate: Any, superseded: Any) -> list[str]:
    from discovery.services import publishing

    return publishing.notes_on_adding(certificate, superseded)
