import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from certificates.pki.certinfo import check_leaf, describe_certificate
from certificates.pki.errors import PkiError
from certificates.pki.keys import spki_sha256
from tests.pki.conftest import NOW
from tests.testca import CA_ISSUERS_URL, CRL_URL, OCSP_URL, SmimeTestCA

EMAIL = "jane.doe@example.com"


def _check(
    cert: x509.Certificate, email: str = EMAIL, now: dt.datetime = NOW, spki: str | None = None
) -> list[str]:
    return check_leaf(cert, email=email, now=now, expected_spki_sha256=spki)


def test_describe_reads_every_field(ca: SmimeTestCA, rsa_key: rsa.RSAPrivateKey) -> None:
    cert = ca.issue(rsa_key.public_key(), EMAIL, now=NOW, days=365)
    info = describe_certificate(cert)
    assert info.serial_hex == format(cert.serial_number, "x").rjust(len(info.serial_hex), "0")
    assert len(info.serial_hex) % 2 == 0 and info.serial_hex == info.serial_hex.lower()
    assert info.issuer == "CN=Test S/MIME Issuing CA,O=Test Trust Services,C=NL"
    assert info.subject == f"emailAddress={EMAIL},CN={EMAIL}"  # readable, not a bare OID
    assert info.emails == [EMAIL]
    assert info.key_usage == "both"
    assert info.not_before == NOW - dt.timedelta(hours=1)
    assert info.not_after == NOW + dt.timedelta(days=365)
    assert info.not_after.tzinfo is not None
    assert info.sha256_fingerprint == cert.fingerprint(hashes.SHA256()).hex()
    assert info.spki_sha256 == spki_sha256(rsa_key.public_key())
    assert info.key is not None and info.key.key_type == "rsa-2048"
    assert (info.ocsp_urls, info.ca_issuers_urls, info.crl_urls) == (
        [OCSP_URL],
        [CA_ISSUERS_URL],
        [CRL_URL],
    )
    assert info.email_protection and not info.is_ca


def test_describe_ca_and_key_outside_allowlist(ca: SmimeTestCA) -> None:
    assert describe_certificate(ca.root).is_ca
    weak_key = rsa.generate_private_key(65537, 1024)  # noqa: S505 - refusing it is the point
    weak = ca.issue(weak_key.public_key(), EMAIL, now=NOW)
    assert describe_certificate(weak).key is None


@pytest.mark.parametrize(
    "usage,rsa_expected,ec_expected",
    [
        ("both", "both", "both"),
        ("signing", "signing", "signing"),
        ("encryption", "encryption", "encryption"),
        ("neither", "none", "none"),
        (None, "both", "both"),
    ],
)
def test_key_usage_per_key_type(
    ca: SmimeTestCA,
    rsa_key: rsa.RSAPrivateKey,
    ec_key: ec.EllipticCurvePrivateKey,
    usage: str | None,
    rsa_expected: str,
    ec_expected: str,
) -> None:
    rsa_cert = ca.issue(rsa_key.public_key(), EMAIL, now=NOW, key_usage=usage)
    ec_cert = ca.issue(ec_key.public_key(), EMAIL, now=NOW, key_usage=usage)
    assert describe_certificate(rsa_cert).key_usage == rsa_expected
    assert describe_certificate(ec_cert).key_usage == ec_expected


def test_ed25519_without_key_usage_is_signing(ca: SmimeTestCA) -> None:
    cert = ca.issue(
        ed25519.Ed25519PrivateKey.generate().public_key(), EMAIL, now=NOW, key_usage=None
    )
    assert describe_certificate(cert).key_usage == "signing"


def test_good_leaf_passes_with_case_insensitive_address(
    ca: SmimeTestCA, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    cert = ca.issue(ec_key.public_key(), EMAIL, now=NOW)
    assert _check(cert, email="Jane.Doe@EXAMPLE.com", spki=spki_sha256(ec_key.public_key())) == []


def test_other_key_than_the_csr_is_refused(
    ca: SmimeTestCA, ec_key: ec.EllipticCurvePrivateKey, rsa_key: rsa.RSAPrivateKey
) -> None:
    cert = ca.issue(ec_key.public_key(), EMAIL, now=NOW)
    with pytest.raises(PkiError, match="is for a different key than the request's CSR: "):
        _check(cert, spki=spki_sha256(rsa_key.public_key()))


def test_expired_and_not_yet_valid_are_refused_with_dates(
    ca: SmimeTestCA, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    old = ca.issue(ec_key.public_key(), EMAIL, now=NOW - dt.timedelta(days=400), days=365)
    with pytest.raises(PkiError, match="expired on 2031-02-08 12:00 UTC"):
        _check(old)
    future = ca.issue(ec_key.public_key(), EMAIL, now=NOW + dt.timedelta(days=2))
    with pytest.raises(PkiError, match="not valid until 2031-03-17 11:00 UTC"):
        _check(future)


@pytest.mark.parametrize(
    "eku,needle",
    [
        (None, "has no Extended Key Usage"),
        ([ExtendedKeyUsageOID.CLIENT_AUTH], r"\(clientAuth\) lacks emailProtection"),
        ([ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE], r"\(anyExtendedKeyUsage\) lacks"),
    ],
)
def test_eku_without_email_protection_is_refused(
    ca: SmimeTestCA,
    ec_key: ec.EllipticCurvePrivateKey,
    eku: list[x509.ObjectIdentifier] | None,
    needle: str,
) -> None:
    with pytest.raises(PkiError, match=needle):
        _check(ca.issue(ec_key.public_key(), EMAIL, now=NOW, eku=eku))


def test_other_address_is_refused_listing_what_it_holds(
    ca: SmimeTestCA, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    cert = ca.issue(ec_key.public_key(), "john@example.com", now=NOW, extra_email="j@example.com")
    with pytest.raises(PkiError, match=f"is for john@example.com, j@example.com, not {EMAIL}"):
        _check(cert)
    with pytest.raises(PkiError, match="no email address in its Subject Alternative Name"):
        _check(ca.issue(ec_key.public_key(), EMAIL, now=NOW, san=False))


def test_extra_address_is_a_warning(ca: SmimeTestCA, ec_key: ec.EllipticCurvePrivateKey) -> None:
    cert = ca.issue(ec_key.public_key(), EMAIL, now=NOW, extra_email="alias@example.com")
    assert _check(cert) == ["This certificate also holds alias@example.com."]


def test_key_usage_without_signing_or_encryption_is_refused(
    ca: SmimeTestCA, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    with pytest.raises(PkiError, match="allows neither signing nor encryption"):
        _check(ca.issue(ec_key.public_key(), EMAIL, now=NOW, key_usage="neither"))


def test_key_outside_allowlist_is_refused(ca: SmimeTestCA) -> None:
    cert = ca.issue(ec.generate_private_key(ec.SECP256K1()).public_key(), EMAIL, now=NOW)
    with pytest.raises(PkiError, match="secp256k1, which is not on our allowlist"):
        _check(cert)


def test_ed25519_signing_only_passes_with_warnings_but_encryption_is_refused(
    ca: SmimeTestCA,
) -> None:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    warnings = _check(ca.issue(key, EMAIL, now=NOW, key_usage="signing"))
    assert any("sign but not receive encrypted mail" in w for w in warnings)
    assert any("Ed25519" in w for w in warnings)
    with pytest.raises(PkiError, match="Ed25519 \\(signing only\\) key for encryption"):
        _check(ca.issue(key, EMAIL, now=NOW, key_usage="both"))


def test_warnings_for_long_validity_encryption_only_and_no_crl(
    ca: SmimeTestCA, rsa_key: rsa.RSAPrivateKey
) -> None:
    cert = ca.issue(
        rsa_key.public_key(), EMAIL, now=NOW, days=900, key_usage="encryption", crldp=False
    )
    warnings = _check(cert)
    assert any("valid for 900 days, longer than the 825" in w for w in warnings)
    assert any("encryption only" in w for w in warnings)
    assert any("no CRL distribution point" in w and "only by OCSP" in w for w in warnings)


def test_no_crl_and_no_ocsp_says_nobody_can_check_revocation(
    ca: SmimeTestCA, rsa_key: rsa.RSAPrivateKey
) -> None:
    cert = ca.issue(rsa_key.public_key(), EMAIL, now=NOW, crldp=False, ocsp_url=None)
    revocation = [w for w in _check(cert) if "revoked" in w or "revocation" in w]
    assert revocation == [
        "This certificate names neither a CRL nor an OCSP responder, so nobody can check "
        "whether it was revoked."
    ]
    assert "not at all" not in " ".join(_check(cert))
