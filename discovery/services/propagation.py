"""After a publication changed and committed: the served files' memo, the static export and
the zone's primary follow. A failing export does not stop the zone update."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db import models

from certificates.models import Domain
from certificates.services.actor import Actor
from discovery import serving
from discovery.services import export, push

logger = logging.getLogger(__name__)


def propagate(actor: Actor, subject: models.Model, domain: Domain, locals_: list[str]) -> None:
    serving.forget()
    if settings.PUBLISH_ROOT:
        try:
            export.sync_domain(Path(settings.PUBLISH_ROOT), domain)
        except OSError:
            logger.exception("Could not sync PUBLISH_ROOT for %s", domain.name)
    push.push_addresses(actor, subject, domain, locals_)
