"""The static ``.well-known`` tree for nginx or any static host: ROOT/DOMAIN/.well-known/smime/.

``manage.py export_wellknown DIR`` writes it whole; with ``PUBLISH_ROOT`` set, every publish
and withdrawal re-syncs its domain's folder (files replaced atomically, stale ones removed).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from django.utils import timezone

from certificates.models import Domain
from discovery import records, wellknown
from discovery.services.published import live_publications, local_part


def domain_folder(root: Path, domain_name: str) -> Path:
    folder_name = records.domain_name(domain_name).to_text(omit_final_dot=True)
    return root / folder_name / wellknown.PREFIX.strip("/")


def domain_files(domain: Domain, now: datetime) -> dict[str, bytes]:
    """File name → content: each live publication as .crt (DER) and .pem, under its name as
    written and in lower case."""
    stems: dict[str, bytes] = {}
    for publication in live_publications(domain).filter(certificate__not_after__gt=now):
        for stem in records.file_names(local_part(publication.certificate)):
            stems[stem] = bytes(publication.certificate.der)
    return wellknown.tree(stems)


def sync_domain(root: Path, domain: Domain, now: datetime | None = None) -> tuple[int, int]:
    with wellknown.locked(root):
        return _sync(root, domain, now or timezone.now())


def _sync(root: Path, domain: Domain, now: datetime) -> tuple[int, int]:
    return wellknown.sync_folder(domain_folder(root, domain.name), domain_files(domain, now))


def export_all(root: Path, now: datetime | None = None) -> dict[str, tuple[int, int]]:
    """Every managed domain's folder; folders of domains no longer managed are emptied."""
    now = now or timezone.now()
    done: dict[str, tuple[int, int]] = {}
    with wellknown.locked(root):
        managed = list(Domain.objects.all())
        for domain in managed:
            done[domain.name] = _sync(root, domain, now)
        kept = {domain_folder(root, d.name) for d in managed}
        for folder in root.glob("*/.well-known/smime"):
            if folder not in kept and folder.is_dir():
                done[folder.parent.parent.name] = wellknown.sync_folder(folder, {})
    return done
