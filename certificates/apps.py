from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "S/MIME certificates"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The pki layer stays free of Django; this gives its refusals the request's language.
        from django.utils.translation import gettext

        from certificates.pki import translation

        translation.install(gettext)
