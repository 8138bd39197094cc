import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from certificates.pki.csr import (
    build_csr,
    csr_to_pem,
    inspect_csr,
    load_csr,
    openssl_request_command,
    validate_csr,
)
from certificates.pki.errors import PkiError
from certificates.pki.keys import spki_sha256
from certificates.pki.subject import SubjectFields
from tests.factories import openssl_csr, run_in_shell
from tests.pki.conftest import OpenSSL
from tests.testca import SmimeTestCA

SUBJ = "/C=NL/O=Acme/CN=Jane Doe/emailAddress=jane@example.com"


def _openssl_csr(folder: Path, *extra: str, subj: str = SUBJ) -> bytes:
    """Jane's CSR from the openssl CLI, without subjectAltName; `folder` keeps key.pem and
    csr.pem. (Its tests ask for the openssl fixture, which fails them where the CLI is missing.)"""
    return openssl_csr(*extra, subject=subj, folder=folder).encode()


def test_openssl_cli_csr_loads_and_validates_with_san_warning(
    openssl: OpenSSL, tmp_path: Path
) -> None:
    csr = load_csr(_openssl_csr(tmp_path, "-sha256"))
    info = validate_csr(csr, "JANE@Example.com")
    assert info.emails == ["jane@example.com"]
    assert info.san_emails == []
    assert info.fields == SubjectFields(common_name="Jane Doe", organization="Acme", country="NL")
    assert info.key.key_type == "rsa-2048"
    assert info.signature_hash == "sha256"
    assert any("only in the subject's emailAddress" in w for w in info.warnings)


def test_openssl_cli_csr_for_another_address_is_refused(openssl: OpenSSL, tmp_path: Path) -> None:
    csr = load_csr(_openssl_csr(tmp_path, "-sha256"))
    with pytest.raises(PkiError) as caught:
        validate_csr(csr, "john@example.com")
    assert "jane@example.com" in caught.value.message
    assert "john@example.com" in caught.value.message
    assert "emailAddress=john@example.com" in caught.value.message


def test_openssl_cli_sha1_csr_is_refused(openssl: OpenSSL, tmp_path: Path) -> None:
    csr = load_csr(_openssl_csr(tmp_path, "-sha1"))
    with pytest.raises(PkiError, match="uses SHA-1, which CAs no longer accept.*-sha256"):
        validate_csr(csr, "jane@example.com")


def test_openssl_cli_placeholder_organization_is_refused(openssl: OpenSSL, tmp_path: Path) -> None:
    data = _openssl_csr(
        tmp_path, "-sha256", subj="/C=NL/O=N\\/A/CN=Jane Doe/emailAddress=jane@example.com"
    )
    with pytest.raises(PkiError, match="Organization 'N/A' is a placeholder"):
        validate_csr(load_csr(data), "jane@example.com")


def test_openssl_cli_der_and_new_header_load(openssl: OpenSSL, tmp_path: Path) -> None:
    pem_bytes = _openssl_csr(tmp_path, "-sha256")
    openssl("req", "-in", "csr.pem", "-outform", "DER", "-out", "csr.der")
    der = (tmp_path / "csr.der").read_bytes()
    assert load_csr(der) == load_csr(pem_bytes)
    renamed = pem_bytes.replace(b"CERTIFICATE REQUEST", b"NEW CERTIFICATE REQUEST")
    assert load_csr(b"Here is my CSR:\n" + renamed + b"\nthanks\n") == load_csr(pem_bytes)


def test_pem_with_private_key_is_refused(openssl: OpenSSL, tmp_path: Path) -> None:
    pem_bytes = _openssl_csr(tmp_path, "-sha256")
    both = (tmp_path / "key.pem").read_bytes() + pem_bytes
    with pytest.raises(PkiError, match="contains a private key; upload only the .csr file"):
        load_csr(both)


def test_der_private_key_is_refused(ec_key: ec.EllipticCurvePrivateKey) -> None:
    der = ec_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(PkiError, match="is a private key; upload only the .csr file"):
        load_csr(der)


def test_certificate_instead_of_csr_is_refused(ca: SmimeTestCA) -> None:
    for data in (
        ca.root.public_bytes(serialization.Encoding.PEM),
        ca.root.public_bytes(serialization.Encoding.DER),
    ):
        with pytest.raises(PkiError, match="is a certificate, not a CSR"):
            load_csr(data)


@pytest.mark.parametrize("data", [b"", b"  \n", b"garbage" * 10, b"-----BEGIN CERTIFICATE REQ"])
def test_empty_and_garbage_are_refused(data: bytes) -> None:
    with pytest.raises(PkiError):
        load_csr(data)


def test_oversized_upload_is_refused() -> None:
    with pytest.raises(PkiError, match="a CSR is about 1 KB"):
        load_csr(b"x" * 100_000)


@pytest.mark.parametrize(
    "make_key,key_type",
    [
        (lambda: rsa.generate_private_key(65537, 2048), "rsa-2048"),
        (lambda: ec.generate_private_key(ec.SECP256R1()), "ec-p256"),
        (lambda: ed25519.Ed25519PrivateKey.generate(), "ed25519"),
    ],
)
def test_build_csr_is_what_a_ca_expects(make_key, key_type: str) -> None:  # type: ignore[no-untyped-def]
    key = make_key()
    csr = build_csr(key, "Jane.Doe@example.com", SubjectFields(given_name="Jane", surname="Doe"))
    assert csr.is_signature_valid
    info = validate_csr(load_csr(csr_to_pem(csr).encode()), "jane.doe@example.com")
    assert info.key.key_type == key_type
    assert info.san_emails == ["Jane.Doe@example.com"]
    assert info.emails == ["Jane.Doe@example.com"]  # subject copy deduplicated
    if key_type == "ed25519":
        [warning] = info.warnings
        assert warning.startswith("Ed25519 keys can sign but not decrypt: ")
    else:
        assert info.warnings == []
    assert info.spki_sha256 == spki_sha256(key.public_key())
    assert info.signature_hash == (None if key_type == "ed25519" else "sha256")
    eku = csr.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert list(eku.value) == [ExtendedKeyUsageOID.EMAIL_PROTECTION] and not eku.critical
    san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert not san.critical
    ku = csr.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature
    assert ku.key_encipherment == (key_type == "rsa-2048")
    assert ku.key_agreement == (key_type == "ec-p256")
    assert csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "Jane.Doe@example.com"
    )


def test_build_csr_refuses_keys_outside_allowlist() -> None:
    key = ec.generate_private_key(ec.SECP256K1())
    with pytest.raises(PkiError, match="not on our allowlist"):
        build_csr(key, "jane@example.com", SubjectFields())


def _signed_csr(
    key: rsa.RSAPrivateKey,
    name: x509.Name,
    algorithm: hashes.SHA256,
    san: list[str] | None = None,
) -> x509.CertificateSigningRequest:
    builder = x509.CertificateSigningRequestBuilder().subject_name(name)
    if san is not None:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name(a) for a in san]), critical=False
        )
    return builder.sign(key, algorithm)


def test_csr_without_any_address_is_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    csr = _signed_csr(
        rsa_key, x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Jane")]), hashes.SHA256()
    )
    with pytest.raises(PkiError, match="contains no email address.*emailAddress=jane@example.com"):
        validate_csr(csr, "jane@example.com")


def test_csr_with_a_second_foreign_address_is_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    csr = _signed_csr(
        rsa_key, x509.Name([]), hashes.SHA256(), san=["jane@example.com", "boss@example.com"]
    )
    with pytest.raises(PkiError, match="is for boss@example.com"):
        validate_csr(csr, "jane@example.com")


def test_csr_without_cn_gets_a_warning(rsa_key: rsa.RSAPrivateKey) -> None:
    csr = _signed_csr(rsa_key, x509.Name([]), hashes.SHA256(), san=["jane@example.com"])
    info = validate_csr(csr, "jane@example.com")
    assert any("no common name" in w for w in info.warnings)


def test_openssl_cli_md5_csr_is_refused(openssl: OpenSSL, tmp_path: Path) -> None:
    csr = load_csr(_openssl_csr(tmp_path, "-md5"))
    with pytest.raises(PkiError, match="uses MD5"):
        validate_csr(csr, "jane@example.com")


def test_csr_with_weak_key_is_refused() -> None:
    key = rsa.generate_private_key(65537, 1024)  # noqa: S505 - refusing it is the point
    csr = _signed_csr(key, x509.Name([]), hashes.SHA256(), san=["jane@example.com"])
    with pytest.raises(PkiError, match="1024 bits"):
        validate_csr(csr, "jane@example.com")


def test_csr_with_bad_signature_is_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    der = bytearray(
        _signed_csr(rsa_key, x509.Name([]), hashes.SHA256(), san=["jane@example.com"]).public_bytes(
            serialization.Encoding.DER
        )
    )
    der[-5] ^= 0xFF  # inside the signature value
    with pytest.raises(PkiError, match="signature does not verify"):
        validate_csr(load_csr(bytes(der)), "jane@example.com")


def test_inspect_does_not_judge_the_address(rsa_key: rsa.RSAPrivateKey) -> None:
    csr = _signed_csr(
        rsa_key,
        x509.Name(
            [
                x509.NameAttribute(NameOID.EMAIL_ADDRESS, "JANE@example.com"),
                x509.NameAttribute(NameOID.EMAIL_ADDRESS, "other@example.com"),
            ]
        ),
        hashes.SHA256(),
        san=["jane@example.com"],
    )
    info = inspect_csr(csr)
    assert info.emails == ["jane@example.com", "other@example.com"]


def test_ed25519_csr_is_accepted_with_a_signing_only_warning() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    csr = build_csr(key, "jane@example.com", SubjectFields(common_name="Jane Doe"))
    info = validate_csr(load_csr(csr_to_pem(csr).encode()), "jane@example.com")
    assert info.key.key_type == "ed25519"
    assert len(info.warnings) == 1
    assert info.warnings[0].startswith("Ed25519 keys can sign but not decrypt: ")
    assert "encrypted mail" in info.warnings[0]


def test_every_value_of_every_subject_attribute_is_checked_and_all_problems_are_reported(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    """The issue's CSRs: each problem hid behind an acceptable first value of its kind."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Jane Doe"),
            x509.NameAttribute(NameOID.COMMON_NAME, "\u202eeod enaJ\n\x00<b>"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Acme"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "N/A"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Sales"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "u" * 300),
            x509.NameAttribute(NameOID.TITLE, "N/A"),
            x509.NameAttribute(NameOID.STREET_ADDRESS, "-"),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, "jane@example.com"),
        ]
    )
    csr = _signed_csr(rsa_key, name, hashes.SHA256(), san=["jane@example.com", "boss@example.com"])
    with pytest.raises(PkiError) as caught:
        validate_csr(csr, "jane@example.com")
    problems = caught.value.problems
    assert [p.field for p in problems] == [
        "subject.common_name",
        "subject.organization",
        "subject.organizational_unit",
        "subject.title",
        "subject.street",
        "email",
    ]
    assert problems[0].message == (
        "Common name '\\u202eeod enaJ\\n\\u0000<b>' contains U+202E (RIGHT-TO-LEFT OVERRIDE), "
        "a control or invisible formatting character; retype it without pasted formatting."
    )
    assert problems[1].message.startswith("Organization 'N/A' is a placeholder")
    assert problems[2].message.startswith("Organizational unit is 300 characters; the limit is 64")
    assert problems[3].message.startswith("Title 'N/A' is a placeholder")
    assert problems[4].message.startswith("Street '-' is a placeholder")
    assert problems[5].message.startswith("This CSR is for boss@example.com")
    assert caught.value.message == "6 problems: " + " ".join(p.message for p in problems)


def test_a_csr_with_more_subject_alternative_names_than_the_cap_is_refused(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    addresses = [f"jane+{n}@example.com" for n in range(101)]
    csr = _signed_csr(rsa_key, x509.Name([]), hashes.SHA256(), san=addresses)
    with pytest.raises(PkiError) as caught:
        load_csr(csr.public_bytes(serialization.Encoding.PEM))
    assert caught.value.message == (
        "The CSR has 101 subject alternative names; at most 100 are accepted, so create a CSR "
        "for your own address only."
    )


def test_addresses_are_deduplicated_without_unicode_case_folding(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    # emailAddress is an IA5String by default; a UTF8String is what a careless tool writes.
    utf8 = x509.name._ASN1Type.UTF8String
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, "JANE@Example.COM"),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, "weiß@example.com", _type=utf8),
        ]
    )
    csr = _signed_csr(rsa_key, name, hashes.SHA256(), san=["jane@example.com", "weiss@example.com"])
    assert inspect_csr(csr).emails == ["jane@example.com", "weiss@example.com", "weiß@example.com"]


def test_openssl_interactive_defaults_draw_a_warning_not_a_refusal(
    openssl: OpenSSL, tmp_path: Path
) -> None:
    subj = (
        "/C=AU/ST=Some-State/O=Internet Widgits Pty Ltd/CN=Jane Doe/emailAddress=jane@example.com"
    )
    info = validate_csr(load_csr(_openssl_csr(tmp_path, "-sha256", subj=subj)), "jane@example.com")
    [warning] = [w for w in info.warnings if "openssl's example answers" in w]
    assert "Country 'AU'" in warning and "State or province 'Some-State'" in warning
    assert "Organization 'Internet Widgits Pty Ltd'" in warning
    assert "Keep AU only if you are in Australia." in warning


def test_a_real_organisation_draws_no_example_warning(openssl: OpenSSL, tmp_path: Path) -> None:
    info = validate_csr(load_csr(_openssl_csr(tmp_path, "-sha256")), "jane@example.com")
    assert not [w for w in info.warnings if "example answers" in w]


@pytest.mark.parametrize(
    ("fields", "email"),
    [
        (SubjectFields(), "jane@example.com"),
        (
            SubjectFields(common_name="Jane O'Brien", given_name="Jane", surname="O'Brien"),
            "jane@example.com",
        ),
        (
            SubjectFields(common_name="Zoë Ölçek", organization='R+D/Labs \\ "Acme"', country="nl"),
            "zoe@example.com",
        ),
    ],
)
def test_the_suggested_openssl_command_makes_the_csr_the_portal_would_and_asks_nothing(
    openssl: OpenSSL, tmp_path: Path, fields: SubjectFields, email: str
) -> None:
    command = openssl_request_command(fields, email)
    assert command.startswith("openssl req -new -newkey rsa:3072 -sha256")
    made = run_in_shell(command, tmp_path).read_bytes()
    info = validate_csr(load_csr(made), email)
    assert info.warnings == []
    assert info.san_emails == [email]
    ours = build_csr(ec.generate_private_key(ec.SECP256R1()), email, fields)
    assert x509.load_pem_x509_csr(made).subject == ours.subject


# CSRs the first corpus run (issue 11) answered with a 500: cryptography raises InvalidVersion
# and DuplicateExtension, which are not ValueErrors (files from cryptography-vectors).
@pytest.mark.parametrize(
    ("vector", "said"),
    [
        ("x509/requests/bad-version.pem", "^This CSR could not be read .1 is not a valid CSR"),
        ("x509/requests/two_basic_constraints.pem", "^The CSR's extensions could not be read"),
    ],
)
def test_csrs_cryptography_refuses_are_a_pki_error(vector: str, said: str) -> None:
    from tests.hostile.corpus import VECTORS

    with pytest.raises(PkiError, match=said):
        load_csr((VECTORS / vector).read_bytes())


def test_every_problem_of_a_csr_is_reported_at_once(openssl: OpenSSL, tmp_path: Path) -> None:
    """The explorer's weak2.csr: a 1024-bit key, SHA-1, a placeholder and someone else's
    address; each is its own problem, so one new CSR mends them all."""
    key = rsa.generate_private_key(65537, 1024)  # noqa: S505 - refusing it is the point
    (tmp_path / "w.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    run = ["openssl", "req", "-new", "-key", "w.key", "-sha1", "-out", "weak2.csr"]
    subprocess.run(
        [*run, "-subj", "/CN=N\\/A/emailAddress=bob@example.com"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=60,
    )
    with pytest.raises(PkiError) as caught:
        validate_csr(load_csr((tmp_path / "weak2.csr").read_bytes()), "alice@example.com")
    problems = {p.field: p.message for p in caught.value.problems}
    assert set(problems) == {"key", "signature", "subject.common_name", "email"}
    assert "1024 bits, which is too weak" in problems["key"]
    assert "uses SHA-1" in problems["signature"]
    assert "'N/A' is a placeholder" in problems["subject.common_name"]
    assert problems["email"].startswith("This CSR is for bob@example.com, but this request is")
    assert caught.value.message.startswith("4 problems:")
