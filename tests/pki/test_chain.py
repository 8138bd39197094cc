import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from certificates.pki.chain import ChainResult, Verdict, verify_chain
from tests.pki.conftest import NOW
from tests.testca import DAY, SmimeTestCA

EMAIL = "jane@example.com"


@pytest.fixture(scope="module")
def leaf(ca: SmimeTestCA, ec_key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    return ca.issue(ec_key.public_key(), EMAIL, now=NOW)


def test_trusted_to_a_configured_anchor(
    ca: SmimeTestCA, other_ca: SmimeTestCA, leaf: x509.Certificate
) -> None:
    verdict = verify_chain(leaf, [ca.root, ca.issuing], [other_ca.root, ca.root], NOW)
    assert verdict == ChainResult(
        Verdict.TRUSTED,
        ca.root,
        "Chains to the trust anchor 'CN=Test S/MIME Root CA,O=Test Trust Services,C=NL'.",
        [ca.issuing, ca.root],
    )


def test_trusted_when_the_upload_holds_only_the_leaf_and_anchor_is_the_issuing_ca(
    ca: SmimeTestCA, leaf: x509.Certificate
) -> None:
    verdict = verify_chain(leaf, [], [ca.issuing], NOW)
    assert (verdict.verdict, verdict.anchor, verdict.chain) == ("trusted", ca.issuing, [ca.issuing])


def test_untrusted_root_names_the_uploaded_root(
    ca: SmimeTestCA, other_ca: SmimeTestCA, leaf: x509.Certificate
) -> None:
    verdict = verify_chain(leaf, ca.chain, [other_ca.root], NOW)
    assert verdict.verdict == "untrusted-root"
    assert verdict.anchor == ca.root
    assert verdict.chain == [ca.issuing, ca.root]
    assert verdict.reason == (
        "The chain is valid up to the root 'CN=Test S/MIME Root CA,O=Test Trust Services,C=NL', "
        "which is not a configured trust anchor; an admin can add it."
    )


def test_untrusted_root_with_no_anchors_at_all(ca: SmimeTestCA, leaf: x509.Certificate) -> None:
    assert verify_chain(leaf, ca.chain, [], NOW).verdict == "untrusted-root"


def test_untrusted_provisional_anchor_when_no_root_was_uploaded(
    ca: SmimeTestCA, leaf: x509.Certificate
) -> None:
    verdict = verify_chain(leaf, [ca.issuing], [], NOW)
    assert verdict.verdict == "untrusted-root"
    assert verdict.anchor == ca.issuing
    assert verdict.reason == (
        "The chain is valid up to the intermediate CA 'CN=Test S/MIME Issuing CA,O=Test Trust "
        "Services,C=NL', whose issuer 'CN=Test S/MIME Root CA,O=Test Trust Services,C=NL' was "
        "not uploaded and is not a configured trust anchor; an admin can add that root as a "
        "trust anchor."
    )
    assert "root '" not in verdict.reason  # the intermediate is not called a root


def test_invalid_when_the_leaf_expired(ca: SmimeTestCA, ec_key: ec.EllipticCurvePrivateKey) -> None:
    old = ca.issue(ec_key.public_key(), EMAIL, now=NOW - 400 * DAY, days=365)
    for anchors in ([ca.root], []):
        verdict = verify_chain(old, ca.chain, anchors, NOW)
        assert verdict.verdict == "invalid"
        assert verdict.anchor is None
        assert verdict.chain == ca.chain
        assert verdict.reason == (
            f"The certificate 'emailAddress={EMAIL},CN={EMAIL}' expired on 2031-02-08."
        )


def test_invalid_when_the_issuing_ca_expired(ca: SmimeTestCA, leaf: x509.Certificate) -> None:
    expired_issuing = ca.make_issuing(NOW - 800 * DAY, NOW - DAY)
    verdict = verify_chain(leaf, [expired_issuing, ca.root], [ca.root], NOW)
    assert verdict.verdict == "invalid"
    assert "'CN=Test S/MIME Issuing CA,O=Test Trust Services,C=NL' expired on" in verdict.reason


@pytest.mark.parametrize(
    "eku,needle",
    [
        ([ExtendedKeyUsageOID.CLIENT_AUTH], "Extended Key Usage lacks emailProtection"),
        ([ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE], "Extended Key Usage lacks emailProtection"),
        (None, "has no Extended Key Usage"),
    ],
)
def test_invalid_without_email_protection(
    ca: SmimeTestCA,
    ec_key: ec.EllipticCurvePrivateKey,
    eku: list[x509.ObjectIdentifier] | None,
    needle: str,
) -> None:
    cert = ca.issue(ec_key.public_key(), EMAIL, now=NOW, eku=eku)
    verdict = verify_chain(cert, ca.chain, [ca.root], NOW)
    assert verdict.verdict == "invalid"
    assert needle in verdict.reason


def test_invalid_without_an_email_san(ca: SmimeTestCA, ec_key: ec.EllipticCurvePrivateKey) -> None:
    cert = ca.issue(ec_key.public_key(), EMAIL, now=NOW, san=False)
    verdict = verify_chain(cert, ca.chain, [ca.root], NOW)
    assert verdict.verdict == "invalid"
    assert "no Subject Alternative Name" in verdict.reason


def test_invalid_when_the_signature_is_forged(
    ca: SmimeTestCA, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    forged = ca.issue(
        ec_key.public_key(), EMAIL, now=NOW, signer=ec.generate_private_key(ec.SECP256R1())
    )
    verdict = verify_chain(forged, ca.chain, [ca.root], NOW)
    assert verdict.verdict == "invalid"
    assert "signature in the chain does not verify" in verdict.reason


def test_invalid_when_the_issuer_is_missing_everywhere(
    other_ca: SmimeTestCA, leaf: x509.Certificate
) -> None:
    verdict = verify_chain(leaf, [], [other_ca.root], NOW)
    assert verdict.verdict == "invalid"
    assert verdict.reason.startswith("The issuer 'CN=Test S/MIME Issuing CA")
    assert "upload the certificate together with its chain" in verdict.reason
    assert verify_chain(leaf, [], [], NOW).verdict == "invalid"


def test_ca_whose_eku_excludes_email_cannot_issue_smime(
    ca: SmimeTestCA, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    tls_issuing = (
        x509.CertificateBuilder()
        .subject_name(ca.issuing.subject)
        .issuer_name(ca.root.subject)
        .public_key(ca.issuing_key.public_key())
        .serial_number(7)
        .not_valid_before(NOW - DAY)
        .not_valid_after(NOW + 100 * DAY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(ca.issuing.extensions.get_extension_for_class(x509.KeyUsage).value, True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            ca.issuing.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value,
            critical=False,
        )
        .add_extension(
            ca.issuing.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value,
            critical=False,
        )
        .sign(ca.root_key, hashes.SHA256())
    )
    leaf = ca.issue(ec_key.public_key(), EMAIL, now=NOW)
    verdict = verify_chain(leaf, [tls_issuing, ca.root], [ca.root], NOW)
    assert verdict.verdict == "invalid"
    assert "may not issue email certificates" in verdict.reason


def test_time_is_the_argument_not_the_wall_clock(ca: SmimeTestCA, leaf: x509.Certificate) -> None:
    assert verify_chain(leaf, ca.chain, [ca.root], NOW + 300 * DAY).verdict == "trusted"
    assert verify_chain(leaf, ca.chain, [ca.root], NOW + 400 * DAY).verdict == "invalid"
