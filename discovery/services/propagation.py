"""After a publication changed and committed: the served files' cache, the static export and
the zone's primary follow. Each step stands alone, so a failing one does not stop the next."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db import models

from certificates.models import Domain
from certificates.services.actor import Actor
from discovery import records, serving
from discovery.services import domains, export, push

logger = logging.getLogger(__name__)


def propagate(actor: Actor, subject: models.Model, domain: Domain, locals_: list[str]) -> None:
    lookups = sorted({records.lookup_key(local) for local in locals_})
    try:
        serving.forget(domains.serving_hosts(domain), lookups)
    except Exception:  # a cache outage must not stop the export and the zone update
        logger.exception("Could not drop cached .well-known files of %s", domain.name)
    if settings.PUBLISH_ROOT:
        try:
            export.sync_domain(Path(settings.PUBLISH_ROOT), domain)
        except OSError:
            logger.exception("Could not sync PUBLISH_ROOT for %s", domain.name)
    push.push_addresses(actor, subject, domain, locals_)
