"""The README's publishing examples, run as written with bash and curl against a live server;
the zone snippet they download is loaded into a real DNS server for the live check and the
sender-side lookup, which fetches the certificate back from the live server."""

from __future__ import annotations

import os
import re
import subprocess
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from certificates.models import Certificate, Domain, TrustAnchor
from discovery.models import Publication
from tests.conftest import api_client
from tests.discovery.dnspeers import DnsPeers
from tests.factories import SignCsr, issue_via_api
from tests.test_readme_api import README, json_documents, shell_script

pytestmark = pytest.mark.django_db(transaction=True)


def publishing_examples() -> list[str]:
    text = README.read_text()
    section = text[text.index("<!-- publishing:begin -->") : text.index("<!-- publishing:end -->")]
    return re.findall(r"^```sh\n(.*?)^```", section, re.S | re.M)


def token_for(username: str) -> str:
    out = StringIO()
    call_command("create_api_token", username, stdout=out)
    return out.getvalue().strip()


def test_readme_publishing_examples_run_against_a_live_server(
    live_server: Any,
    admin: User,
    trust_anchor: TrustAnchor,
    sign_csr: SignCsr,
    dns_peers: DnsPeers,
    settings: Any,
    tmp_path: Path,
) -> None:
    # The domain's .well-known is the live server (by address: "localhost" may resolve to ::1).
    base = live_server.url.replace("localhost", "127.0.0.1")
    domain = Domain.objects.get(name="example.com")
    domain.base_url = base
    domain.save()
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True
    jane = User.objects.create_user("jane", "jane.doe@example.com", password="jane-pass-1234")
    cert = issue_via_api(api_client(jane), sign_csr, "jane.doe@example.com")[1]
    env = {
        **os.environ,
        "PORTAL": live_server.url,
        "TOKEN": token_for("jane"),
        "ADMIN_TOKEN": token_for("carol"),
        "CERT_ID": str(cert["id"]),
    }
    blocks = publishing_examples()
    assert len(blocks) == 6
    outputs = []
    for block in blocks:
        if "/verify" in block:  # the snippet just downloaded, served by a real DNS server
            dns_peers.start((tmp_path / "example.com-smime.zone").read_text())
            settings.DNS_RESOLVERS = [dns_peers.authoritative]
        result = subprocess.run(
            ["bash", "-c", shell_script(block, ["CERT_ID"])],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"{block}\n--- stdout\n{result.stdout}\n{result.stderr}"
        outputs.append(result.stdout)

    url = f"{base}/.well-known/smime/jane_doe.crt"
    assert outputs[0].splitlines() == [
        url,
        f'jane.doe._smime.example.com. 3600 IN TXT "{url}"',
    ]
    assert "email:jane.doe@example.com" in outputs[1]  # openssl read the DER file as is
    assert (tmp_path / "jane_doe.crt").read_bytes() == bytes(
        Certificate.objects.get(pk=cert["id"]).der
    )
    assert outputs[2] == "1\n"
    (verified,) = json_documents(outputs[3])
    (publication,) = verified["publications"]
    assert [c["status"] for c in publication["checks"]] == ["ok"]
    assert outputs[4].splitlines() == [
        "A certificate for jane.doe@example.com was found. No DNSSEC-authenticated SMIMEA record "
        "vouches for it, so it is as trustworthy as the server it came from and the CA that "
        "signed it (your mail client checks the CA).",
        "txt found",
        "certificate found",
        "smimea missing",
    ]
    assert outputs[5] == "404\n"
    assert not Publication.objects.exists()
