"""manage.py check_revocation runs the same checks in this process and prints a summary."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from certificates.models import Certificate
from tests.revocation_peers import Peers

pytestmark = pytest.mark.usefixtures("quick_passwords")
Tracked = Callable[..., Certificate]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("check_revocation", *args, stdout=out)
    return out.getvalue().strip()


def test_one_certificate(tracked: Tracked) -> None:
    cert = tracked()
    printed = run("--certificate", str(cert.pk))
    assert printed.startswith(f"Certificate #{cert.pk}: good by OCSP. OCSP http://127.0.0.1:")
    assert cert.revocation_checks.get().via == "command"


def test_every_due_certificate_with_a_summary(tracked: Tracked, peers: Peers) -> None:
    peers.publish_crl()
    tracked(User.objects.create_user("dave", "dave@example.com"), ocsp_url=None)
    tracked()
    printed = run()
    assert printed.startswith(
        "Checked 2 certificate(s): 2 good, 0 revoked, 0 unknown (1 by crl, 1 by ocsp); "
        "1 CRL download(s). Took "
    )
    assert run().startswith("Checked 0 certificate(s)")


def test_an_unknown_certificate_is_an_error(db: None) -> None:
    with pytest.raises(CommandError, match="There is no certificate #999."):
        run("--certificate", "999")
