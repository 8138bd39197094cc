"""The README's API examples, run as written: bash and curl against a live server.

The ```sh blocks of the README's API section run one after the other like a person would type
them in one shell (shell variables such as REQUEST_ID carry over). Where the README says "when
the CA sends the certificate", the test plays the CA: it signs the downloaded CSR with the test
CA into cert.pem.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.utils import timezone

from certificates.models import Certificate, CertificateRequest, Domain, TrustAnchor
from certificates.services.access import ADMIN_GROUP
from tests.peers import SmtpSink
from tests.testca import SmimeTestCA

README = Path(__file__).resolve().parent.parent / "README.md"
PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.e2e

for _tool in ("curl", "openssl"):  # a missing peer fails the run; it never skips
    assert shutil.which(_tool), f"{_tool} is not installed (bin/test installs it)"


def api_examples() -> list[str]:
    text = README.read_text()
    section = text[text.index("<!-- api:begin -->") : text.index("<!-- api:end -->")]
    return re.findall(r"^```sh\n(.*?)^```", section, re.S | re.M)


def shell_script(block: str, names: list[str]) -> str:
    """The block, with the variables earlier blocks set, saving its own for the next one."""
    keep = " ".join(names)
    return (
        "set -euo pipefail\n"
        "if [ -f .vars ]; then source .vars; fi\n"
        f"{block}\n"
        f"declare -p {keep} > .vars 2>/dev/null || true\n"
    )


def play_the_ca(folder: Path, test_ca: SmimeTestCA) -> None:
    csr = x509.load_pem_x509_csr((folder / "request.csr").read_bytes())
    leaf = test_ca.issue(csr, "jane.doe@example.com", now=timezone.now())
    (folder / "cert.pem").write_bytes(
        b"".join(c.public_bytes(serialization.Encoding.PEM) for c in [leaf, *test_ca.chain])
    )


def json_documents(text: str) -> list[Any]:
    """The JSON documents curl printed back to back at the start of ``text`` (it adds no
    newline), up to the first thing that is not JSON."""
    decoder, documents, at = json.JSONDecoder(), [], 0
    while at < len(text) and text[at] in "{[":
        document, at = decoder.raw_decode(text, at)
        documents.append(document)
    return documents


def leading_json(text: str) -> Any:
    return json_documents(text)[0]


def test_readme_api_examples_run_against_a_live_server(
    live_server: Any,
    domain: Domain,
    trust_anchor: TrustAnchor,
    test_ca: SmimeTestCA,
    celery_worker: None,
    smtp_sink: SmtpSink,
    tmp_path: Path,
) -> None:
    User.objects.create_user("jane", "jane.doe@example.com", password="jane-pass-1234")
    out = StringIO()
    call_command("create_api_token", "jane", "--scope", "keys:export", stdout=out)
    ops = User.objects.create_user("ops", "ops@example.com", password="ops-pass-1234")
    ops.groups.add(Group.objects.get_or_create(name=ADMIN_GROUP)[0])
    admin_out = StringIO()
    call_command("create_api_token", "ops", stdout=admin_out)
    env = {
        **os.environ,
        "PORTAL": live_server.url,
        "TOKEN": out.getvalue().strip(),
        "ADMIN_TOKEN": admin_out.getvalue().strip(),
    }
    blocks = api_examples()
    assert len(blocks) >= 7
    names = sorted({n for b in blocks for n in re.findall(r"^([A-Z_]+)=", b, re.M)})
    assert {"REQUEST_ID", "CERT_ID"} <= set(names)

    stdout, stderr = [], []
    for block in blocks:
        if "cert.pem" in block and not (tmp_path / "cert.pem").exists():
            play_the_ca(tmp_path, test_ca)
        result = subprocess.run(
            ["bash", "-c", shell_script(block, names)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"{block}\n--- stdout\n{result.stdout}\n{result.stderr}"
        stdout.append(result.stdout)
        stderr.append(result.stderr)

    created = json.loads((tmp_path / "request.json").read_text())
    request = CertificateRequest.objects.get(pk=created["id"])
    assert stdout[0] == f"request {request.pk}\n"
    assert (request.state, request.ca_name, request.order_ref) == (
        "issued",
        "Sectigo",
        "ORDER-12345",
    )
    listed = leading_json(stdout[1])
    assert listed["count"] == 1 and listed["items"][0]["id"] == request.pk
    assert "CN = Jane Doe" in stdout[1]  # openssl req -subject on the downloaded CSR
    assert leading_json(stdout[2])["state"] == "submitted"

    uploaded = json.loads((tmp_path / "certificate.json").read_text())
    assert uploaded["chain_verdict"] == "trusted"
    assert leading_json(stdout[3])["id"] == uploaded["id"]
    leaf = x509.load_pem_x509_certificate((tmp_path / "cert.pem").read_bytes())
    (der,) = tmp_path.glob("*.crt")
    assert x509.load_der_x509_certificate(der.read_bytes()) == leaf
    (chain,) = tmp_path.glob("*-chain.pem")
    assert x509.load_pem_x509_certificates(chain.read_bytes()) == test_ca.chain
    (p7b,) = tmp_path.glob("*.p7b")
    assert set(pkcs7.load_der_pkcs7_certificates(p7b.read_bytes())) == {leaf, *test_ca.chain}

    bundle = pkcs12.load_pkcs12((tmp_path / "bundle.p12").read_bytes(), PASSWORD.encode())
    assert bundle.cert is not None and bundle.cert.certificate == leaf
    assert bundle.key is not None and bundle.key.public_key() == leaf.public_key()
    report = stderr[5]  # openssl pkcs12 -info: the legacy profile, read without -legacy
    assert "MAC: sha1" in report
    assert "pbeWithSHA1And3-KeyTripleDES-CBC" in report
    notice = smtp_sink.wait_for(1)[0]
    assert notice["X-Envelope-To"] == "jane.doe@example.com"

    renewal, revoked = json_documents(stdout[6])
    assert renewal["renewal_of"] == uploaded["id"] and renewal["state"] == "csr_ready"
    assert revoked["status"] == "revoked"
    assert revoked["revocation"]["reason"] == "key compromise: laptop stolen"
    assert Certificate.objects.get(pk=uploaded["id"]).status == "revoked"

    # The test CA names hosts under .invalid: nobody answers, and that is unknown, not good.
    checked = leading_json(stdout[7])
    assert (checked["status"], checked["method"]) == ("unknown", None)
    assert "ocsp.test.invalid does not resolve" in checked["detail"]

    dashboard = json.loads((tmp_path / "dashboard.json").read_text())
    assert stdout[8].startswith("{'active': 0, 'expiring': 0, 'expired': 0, 'revoked': 1")
    assert dashboard["requests"]["issued"] == 1
    header, row = stdout[8].splitlines()[1:3]
    assert header.startswith("id,owner,email,status")
    assert row.startswith(f"{uploaded['id']},jane,jane.doe@example.com,revoked")
