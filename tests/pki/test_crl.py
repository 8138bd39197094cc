"""The CRL reader: entries found with time and reason, and every CRL that cannot speak for
the certificate refused with a reason."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from certificates.pki import crl
from certificates.pki.errors import PkiError
from certificates.pki.revocation import Method, RevocationStatus
from tests.pki.conftest import NOW
from tests.testca import SmimeTestCA

URL = "http://crl.example.com/issuing.crl"
HOUR = dt.timedelta(hours=1)
REVOKED_SERIAL = 0x1234


def build_crl(ca: SmimeTestCA, **options: Any) -> bytes:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(options.get("issuer", ca.issuing.subject))
        .last_update(options.get("this_update", NOW - HOUR))
        .next_update(options.get("next_update", NOW + 24 * HOUR))
        .add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(REVOKED_SERIAL)
            .revocation_date(NOW - 2 * HOUR)
            .add_extension(x509.CRLReason(x509.ReasonFlags.affiliation_changed), critical=False)
            .build()
        )
    )
    for extension in options.get("extensions", []):
        builder = builder.add_extension(extension, critical=True)
    signed = builder.sign(options.get("key", ca.issuing_key), hashes.SHA256())
    return signed.public_bytes(options.get("encoding", serialization.Encoding.DER))


def load(data: bytes, ca: SmimeTestCA) -> crl.CrlIndex:
    return crl.load_crl(data, issuer=ca.issuing, url=URL, now=NOW)


def test_revoked_serial_is_found_with_time_and_reason(ca: SmimeTestCA) -> None:
    finding = load(build_crl(ca), ca).lookup(REVOKED_SERIAL)
    assert (finding.status, finding.method) == (RevocationStatus.REVOKED, Method.CRL)
    assert (finding.revoked_at, finding.reason) == (NOW - 2 * HOUR, "affiliation changed")
    assert finding.next_update == NOW + 24 * HOUR


def test_serial_not_on_the_crl_is_good_until_next_update(ca: SmimeTestCA) -> None:
    finding = load(build_crl(ca), ca).lookup(REVOKED_SERIAL + 1)
    assert (finding.status, finding.next_update) == (RevocationStatus.GOOD, NOW + 24 * HOUR)
    assert finding.detail == f"Not on the CRL of 2031-03-15 11:00 UTC at {URL}."


def test_crl_with_only_some_reasons_cannot_say_good(ca: SmimeTestCA) -> None:
    scope = x509.IssuingDistributionPoint(
        full_name=None,
        relative_name=None,
        only_contains_user_certs=True,
        only_contains_ca_certs=False,
        only_some_reasons=frozenset([x509.ReasonFlags.key_compromise]),
        indirect_crl=False,
        only_contains_attribute_certs=False,
    )
    index = load(build_crl(ca, extensions=[scope]), ca)
    assert index.lookup(REVOKED_SERIAL + 1).status == RevocationStatus.UNKNOWN
    assert index.lookup(REVOKED_SERIAL).status == RevocationStatus.REVOKED


def _scope(**changes: Any) -> x509.IssuingDistributionPoint:
    fields: dict[str, Any] = {
        "full_name": None,
        "relative_name": None,
        "only_contains_user_certs": False,
        "only_contains_ca_certs": False,
        "only_some_reasons": None,
        "indirect_crl": False,
        "only_contains_attribute_certs": False,
    }
    return x509.IssuingDistributionPoint(**{**fields, **changes})


def test_crl_naming_this_distribution_point_is_accepted(ca: SmimeTestCA) -> None:
    scope = _scope(full_name=[x509.UniformResourceIdentifier(URL)], only_contains_user_certs=True)
    assert load(build_crl(ca, extensions=[scope]), ca).lookup(1).status == RevocationStatus.GOOD


REFUSED = {
    "bad signature": (
        lambda ca: build_crl(ca, key=ec.generate_private_key(ec.SECP256R1())),
        "does not carry a valid signature of 'CN=Test S/MIME Issuing CA",
    ),
    "another issuer": (
        lambda ca: build_crl(ca, issuer=ca.root.subject, key=ca.root_key),
        "is issued by 'CN=Test S/MIME Root CA,O=Test Trust Services,C=NL', not by",
    ),
    "another key of the issuer": (
        lambda ca: build_crl(
            ca,
            extensions=[
                x509.AuthorityKeyIdentifier(b"\x01" * 20, None, None),
            ],
        ),
        "its authority key identifier does not match",
    ),
    "PEM": (
        lambda ca: build_crl(ca, encoding=serialization.Encoding.PEM),
        "is PEM text; CRLs served over HTTP must be DER",
    ),
    "not a CRL": (lambda ca: b"<html>Not found</html>", "is not a DER-encoded CRL"),
    "over 20 MB": (lambda ca: b"\x30" * (crl.MAX_CRL_BYTES + 1), "is larger than 20,971,520"),
    "expired": (
        lambda ca: build_crl(ca, this_update=NOW - 48 * HOUR, next_update=NOW - HOUR),
        "is not current: it expired at 2031-03-15 11:00 UTC",
    ),
    "from the future": (
        lambda ca: build_crl(ca, this_update=NOW + HOUR, next_update=NOW + 48 * HOUR),
        "claims to be issued in the future",
    ),
    "CA certificates only": (
        lambda ca: build_crl(ca, extensions=[_scope(only_contains_ca_certs=True)]),
        "covers only CA certificates",
    ),
    "another distribution point": (
        lambda ca: build_crl(
            ca,
            extensions=[
                _scope(full_name=[x509.UniformResourceIdentifier("http://other.example/x.crl")])
            ],
        ),
        "is the CRL of another distribution point (http://other.example/x.crl)",
    ),
    "indirect": (
        lambda ca: build_crl(ca, extensions=[_scope(indirect_crl=True)]),
        "is an indirect CRL",
    ),
    "delta": (
        lambda ca: build_crl(ca, extensions=[x509.DeltaCRLIndicator(1)]),
        "is a delta CRL",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_crls_that_cannot_speak_for_the_certificate_are_refused(ca: SmimeTestCA, case: str) -> None:
    build, words = REFUSED[case]
    with pytest.raises(PkiError, match=re.escape(words)):
        load(build(ca), ca)


def test_one_crl_answers_many_lookups_from_its_serial_set(ca: SmimeTestCA) -> None:
    index = load(build_crl(ca), ca)
    assert index.revoked == frozenset({REVOKED_SERIAL})
    statuses = {
        index.lookup(serial).status for serial in range(REVOKED_SERIAL, REVOKED_SERIAL + 50)
    }
    assert statuses == {RevocationStatus.REVOKED, RevocationStatus.GOOD}
