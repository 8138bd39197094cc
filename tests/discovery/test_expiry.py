"""An expired certificate stops being published: published, time moves past its end, the
expiry sweep (manage.py check_expiry) runs, and the .well-known file answers 404 — from the
portal and from the PUBLISH_ROOT export that nginx would serve, which nothing else would
clean up."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import time_machine
from django.core.management import call_command
from django.test import Client

from certificates.models import AuditEvent, Certificate
from discovery.models import Publication
from tests.discovery.conftest import publish_via_api
from tests.factories import OWNER_EMAIL, SignCsr, issue_via_api

PATH = "/.well-known/smime/Alice_Example.crt"


def test_the_sweep_unpublishes_an_expired_certificate(
    owner_api: Client,
    sign_csr: SignCsr,
    trust_anchor: Any,
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.PUBLISH_ROOT = str(tmp_path)
    _, issued = issue_via_api(owner_api, sign_csr, OWNER_EMAIL, days=20)
    cert = Certificate.objects.get(pk=issued["id"])
    with django_capture_on_commit_callbacks(execute=True):
        publish_via_api(owner_api, cert.pk)
    exported = tmp_path / "example.com" / ".well-known" / "smime" / "Alice_Example.crt"
    assert exported.read_bytes() == bytes(cert.der)
    assert Client().get(PATH, HTTP_HOST="example.com").status_code == 200

    out = StringIO()
    with time_machine.travel(cert.not_after + timedelta(hours=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("check_expiry", stdout=out)
        assert Client().get(PATH, HTTP_HOST="example.com").status_code == 404
    assert out.getvalue().startswith("Moved 0 certificate(s) to expiring and 1 to expired;")
    assert not exported.exists()
    assert not Publication.objects.filter(certificate=cert).exists()
    withdrawn = AuditEvent.objects.get(action="publication.withdrawn")
    assert withdrawn.details["reason"] == "certificate expired"
