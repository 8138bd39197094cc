from pathlib import Path

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from django.conf import settings

        from portal import checks, sessionlimits  # noqa: F401  (system checks, login signal)
        from portal.varfolder import make_private

        if settings.EMBEDDED:
            # Every process (web, worker, beat, manage.py) starts here, before it opens the
            # database: close what an earlier run left readable.
            make_private(settings.VAR_DIR, public=Path(settings.STATIC_ROOT))
