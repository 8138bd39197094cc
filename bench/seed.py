"""Fill a throwaway portal database with one published certificate, the way a person gets
there (trust anchor, import, publish), and write its DER to the path given (run by
bench/wellknown.py)."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import django


def main(body_path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from django.contrib.auth.models import User

    from certificates.models import Domain
    from certificates.services import anchors, issuance
    from certificates.services.actor import Actor
    from discovery.services import publishing
    from tests.testca import SmimeTestCA

    now = datetime.now(UTC)
    ca = SmimeTestCA(now, label="Bench")
    Domain.objects.get_or_create(name="example.com")
    user = User.objects.create_user("bench", "first.last@example.com", is_superuser=True)
    actor = Actor(user=user, via="command")
    pem = serialization.Encoding.PEM
    anchors.add(actor, "Bench root", ca.root.public_bytes(pem))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = ca.issue(key.public_key(), "first.last@example.com", now=now)
    chain = b"".join(c.public_bytes(pem) for c in [leaf, *ca.chain])
    cert = issuance.import_certificate(actor, user, chain)
    publishing.publish(actor, cert)
    Path(body_path).write_bytes(bytes(cert.der))


if __name__ == "__main__":
    main(sys.argv[1])
