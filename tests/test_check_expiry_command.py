"""manage.py check_expiry runs the expiry sweep in this process and prints what it did; a
second run finds nothing left to do."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import time_machine
from django.core.management import call_command
from django.test import Client

from certificates.models import Certificate, Notification
from tests.factories import OWNER_EMAIL, SignCsr, issue_via_api


def run() -> str:
    out = StringIO()
    call_command("check_expiry", stdout=out)
    return out.getvalue().strip()


def test_check_expiry_moves_owes_and_summarises_once(
    owner_api: Client, sign_csr: SignCsr, trust_anchor: Any
) -> None:
    _, issued = issue_via_api(owner_api, sign_csr, OWNER_EMAIL, days=40)
    cert = Certificate.objects.get(pk=issued["id"])
    with time_machine.travel(cert.not_after - timedelta(days=25), tick=False):
        assert run() == (
            "Moved 1 certificate(s) to expiring and 0 to expired; owed 1 expiry notice(s) "
            "(30 days: 1), 0 not needed (renewed); owed 1 weekly digest(s)."
        )
        assert run() == (
            "Moved 0 certificate(s) to expiring and 0 to expired; owed 0 expiry notice(s), "
            "0 not needed (renewed); owed 0 weekly digest(s)."
        )
    assert Certificate.objects.get(pk=cert.pk).status == "expiring"
    assert list(Notification.objects.values_list("kind", "recipient").order_by("kind")) == [
        ("expiry_warning", OWNER_EMAIL),
        ("weekly_digest", "root@example.com"),
    ]
