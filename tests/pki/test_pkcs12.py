from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from certificates.pki.errors import PkiError
from certificates.pki.keys import public_keys_equal
from certificates.pki.pkcs12 import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    Profile,
    build_pkcs12,
    pkcs12_compat_command,
)
from tests.pki.conftest import NOW, OpenSSL
from tests.testca import SmimeTestCA

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def leaf(ca: SmimeTestCA, rsa_key: rsa.RSAPrivateKey) -> x509.Certificate:
    return ca.issue(rsa_key.public_key(), "jane@example.com", now=NOW)


def _bundle(
    rsa_key: rsa.RSAPrivateKey,
    leaf: x509.Certificate,
    ca: SmimeTestCA,
    profile: str,
    password: str = PASSWORD,
) -> bytes:
    return build_pkcs12(
        key=rsa_key,
        cert=leaf,
        chain=ca.chain,
        password=password,
        profile=profile,
        friendly_name="Jane Doe (S/MIME)",
    )


@pytest.mark.parametrize(
    "profile,lines",
    [
        (
            "modern",
            [
                "MAC: sha256",
                "Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 100000",
                "PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 100000",
            ],
        ),
        (
            "legacy",
            [
                "MAC: sha1, Iteration 2048",
                "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048",
                "PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048",
            ],
        ),
    ],
)
def test_openssl_reads_each_profile_without_legacy_provider(
    openssl: OpenSSL,
    tmp_path: Path,
    rsa_key: rsa.RSAPrivateKey,
    leaf: x509.Certificate,
    ca: SmimeTestCA,
    profile: str,
    lines: list[str],
) -> None:
    (tmp_path / "b.p12").write_bytes(_bundle(rsa_key, leaf, ca, profile))
    result = openssl("pkcs12", "-info", "-nokeys", "-in", "b.p12", "-passin", f"pass:{PASSWORD}")
    output = result.stdout + result.stderr
    for line in lines:
        assert line in output
    assert "friendlyName: Jane Doe (S/MIME)" in output
    assert output.count("-----BEGIN CERTIFICATE-----") == 3
    wrong = openssl(
        "pkcs12", "-info", "-nokeys", "-in", "b.p12", "-passin", "pass:nope", check=False
    )
    assert wrong.returncode != 0


@pytest.mark.parametrize("profile", list(Profile))
def test_cryptography_loads_key_cert_chain_and_name(
    rsa_key: rsa.RSAPrivateKey, leaf: x509.Certificate, ca: SmimeTestCA, profile: str
) -> None:
    loaded = pkcs12.load_pkcs12(_bundle(rsa_key, leaf, ca, profile), PASSWORD.encode())
    assert loaded.key is not None and loaded.cert is not None
    assert public_keys_equal(loaded.key.public_key(), rsa_key.public_key())
    assert loaded.cert.certificate == leaf
    assert loaded.cert.friendly_name == b"Jane Doe (S/MIME)"
    assert [c.certificate for c in loaded.additional_certs] == ca.chain


def test_non_ascii_password_round_trips(
    rsa_key: rsa.RSAPrivateKey, leaf: x509.Certificate, ca: SmimeTestCA
) -> None:
    data = _bundle(rsa_key, leaf, ca, "modern", password="Grüße-€-Grüße")
    assert pkcs12.load_pkcs12(data, "Grüße-€-Grüße".encode()).cert is not None


def test_empty_password_is_refused(
    rsa_key: rsa.RSAPrivateKey, leaf: x509.Certificate, ca: SmimeTestCA
) -> None:
    with pytest.raises(PkiError, match="^Choose a password for the bundle; an empty password"):
        _bundle(rsa_key, leaf, ca, "modern", password="")


@pytest.mark.parametrize(
    ("password", "needle"),
    [
        ("x", "^The bundle password needs at least 12 characters \\(this one has 1\\)"),
        ("eleven-char", "at least 12 characters .* guess at it offline"),
        ("x" * 1025, "^The bundle password may have at most 1024 characters"),
    ],
)
def test_bundle_passwords_outside_the_length_bounds_are_refused(
    rsa_key: rsa.RSAPrivateKey, leaf: x509.Certificate, ca: SmimeTestCA, password: str, needle: str
) -> None:
    with pytest.raises(PkiError, match=needle):
        _bundle(rsa_key, leaf, ca, "modern", password=password)


def test_twelve_characters_are_enough_and_count_as_characters_not_bytes(
    rsa_key: rsa.RSAPrivateKey, leaf: x509.Certificate, ca: SmimeTestCA
) -> None:
    for password in ("twelve-chars", "ä" * MIN_PASSWORD_LENGTH, "y" * MAX_PASSWORD_LENGTH):
        data = _bundle(rsa_key, leaf, ca, "legacy", password=password)
        assert pkcs12.load_pkcs12(data, password.encode()).key is not None


def test_unknown_profile_is_refused(
    rsa_key: rsa.RSAPrivateKey, leaf: x509.Certificate, ca: SmimeTestCA
) -> None:
    with pytest.raises(
        PkiError, match="Unknown bundle profile 'rc2'; choose one of modern, legacy"
    ):
        _bundle(rsa_key, leaf, ca, "rc2")


def test_key_that_does_not_match_the_certificate_is_refused(
    leaf: x509.Certificate, ca: SmimeTestCA
) -> None:
    with pytest.raises(PkiError, match="does not belong to this private key"):
        build_pkcs12(
            key=ec.generate_private_key(ec.SECP256R1()),
            cert=leaf,
            chain=[],
            password=PASSWORD,
            profile="legacy",
            friendly_name="x",
        )


def test_compat_command_is_the_documented_one(
    openssl: OpenSSL,
    tmp_path: Path,
    rsa_key: rsa.RSAPrivateKey,
    leaf: x509.Certificate,
    ca: SmimeTestCA,
) -> None:
    command = pkcs12_compat_command()
    assert command == (
        "openssl pkcs12 -export -inkey certificate.key -in certificate.crt -certfile chain.pem "
        "-keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 -out bundle.p12"
    )
    (tmp_path / "certificate.key").write_bytes(
        rsa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (tmp_path / "certificate.crt").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "chain.pem").write_bytes(
        b"".join(c.public_bytes(serialization.Encoding.PEM) for c in ca.chain)
    )
    openssl(*command.split()[1:], "-passout", f"pass:{PASSWORD}")
    loaded = pkcs12.load_pkcs12((tmp_path / "bundle.p12").read_bytes(), PASSWORD.encode())
    assert loaded.cert is not None and loaded.cert.certificate == leaf
