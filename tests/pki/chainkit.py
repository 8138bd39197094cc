"""Small certificate builders for chains of the kinds x509-limbo tests (pathLen, cycles, missing
key identifiers, odd serials, name constraints), each leaf an S/MIME certificate so the portal's
own profile passes and the property under test decides the verdict."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DAY = dt.timedelta(days=1)
EMAIL = "jane@example.com"


@dataclass
class Issuer:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey


@dataclass
class Window:
    not_before: dt.datetime
    not_after: dt.datetime

    @classmethod
    def around(cls, now: dt.datetime) -> Window:
        return cls(now - 365 * DAY, now + 365 * DAY)


@dataclass
class CaSpec:
    """What a CA certificate carries; the defaults make a well-formed CA."""

    pathlen: int | None = None
    ski: bool = True
    aki: bool = True
    serial: int | None = None
    name_constraints: x509.NameConstraints | None = None
    extra: list[tuple[x509.ExtensionType, bool]] = field(default_factory=list)


def name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _serial(serial: int | None) -> int:
    return x509.random_serial_number() if serial is None else serial


def ca(
    subject: str | x509.Name,
    window: Window,
    *,
    issuer: Issuer | None = None,
    key: ec.EllipticCurvePrivateKey | None = None,
    spec: CaSpec | None = None,
) -> Issuer:
    """A CA certificate: self-signed without ``issuer``, else signed by it."""
    spec = spec or CaSpec()
    key = key or new_key()
    subject_name = name(subject) if isinstance(subject, str) else subject
    signer_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject_name)
        .issuer_name(issuer.cert.subject if issuer else subject_name)
        .public_key(key.public_key())
        .serial_number(_serial(spec.serial))
        .not_valid_before(window.not_before)
        .not_valid_after(window.not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=spec.pathlen), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
    )
    if spec.ski:
        builder = builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
    if spec.aki:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()),
            critical=False,
        )
    if spec.name_constraints is not None:
        builder = builder.add_extension(spec.name_constraints, critical=True)
    for extension, critical in spec.extra:
        builder = builder.add_extension(extension, critical=critical)
    return Issuer(builder.sign(signer_key, hashes.SHA256()), key)


def leaf(
    issuer: Issuer,
    window: Window,
    *,
    emails: tuple[str, ...] = (EMAIL,),
    dns_names: tuple[str, ...] = (),
    serial: int | None = None,
    aki: bool = True,
) -> x509.Certificate:
    """An S/MIME end-entity certificate: EKU emailProtection and the addresses in the SAN."""
    key = new_key()
    names: list[x509.GeneralName] = [x509.RFC822Name(e) for e in emails]
    names += [x509.DNSName(d) for d in dns_names]
    builder = (
        x509.CertificateBuilder()
        .subject_name(name(emails[0] if emails else "no address"))
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(_serial(serial))
        .not_valid_before(window.not_before)
        .not_valid_after(window.not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
    )
    if aki:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    return builder.sign(issuer.key, hashes.SHA256())


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def unrooted_chain(
    count: int, window: Window, *, same_subject: bool, same_key: bool
) -> tuple[x509.Certificate, list[x509.Certificate]]:
    """``count`` CAs, each signed by the one before (the first self-signed), and a leaf under
    the last: limbo's pathological chains, which reach no trust anchor."""
    shared = new_key() if same_key else None
    parent: Issuer | None = None
    chain: list[x509.Certificate] = []
    for i in range(count):
        subject = "Pathological CA" if same_subject else f"Pathological CA {i}"
        parent = ca(subject, window, issuer=parent, key=shared or new_key())
        chain.append(parent.cert)
    assert parent is not None
    return leaf(parent, window), chain


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def _der(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _der_length(len(content)) + content


def _header_size(der: bytes) -> int:
    return 2 if der[1] < 0x80 else 2 + (der[1] & 0x7F)


def with_raw_serial(
    cert: x509.Certificate, issuer_key: ec.EllipticCurvePrivateKey, serial: bytes
) -> x509.Certificate:
    """``cert`` (made with serial number 1) re-signed with ``serial`` as the INTEGER's content
    octets: zero, negative or longer than 20 octets, which CertificateBuilder refuses to make."""
    assert cert.serial_number == 1
    tbs = cert.tbs_certificate_bytes
    body = tbs[_header_size(tbs) :]
    version, rest = body[:5], body[5:]  # [0] EXPLICIT INTEGER 2, then the serial
    assert version == bytes.fromhex("a003020102") and rest[:3] == bytes.fromhex("020101")
    new_tbs = _der(0x30, version + _der(0x02, serial) + rest[3:])
    der = cert.public_bytes(serialization.Encoding.DER)
    after_tbs = der[_header_size(der) + len(tbs) :]
    algorithm = after_tbs[: _header_size(after_tbs) + after_tbs[1]]  # short form: ~12 octets
    signature = issuer_key.sign(new_tbs, ec.ECDSA(hashes.SHA256()))
    bit_string = _der(0x03, b"\x00" + signature)
    return x509.load_der_x509_certificate(_der(0x30, new_tbs + algorithm + bit_string))


def judged_within(seconds: float, judge: Callable[[], tuple[str, str]]) -> tuple[str, str]:
    """``judge()`` in a forked process, failing the test if it takes longer than ``seconds``:
    the path builder is native code, which neither signal.alarm nor a thread can stop."""
    context = mp.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=lambda: send.send(judge()), daemon=True)
    process.start()
    send.close()
    try:
        if not receive.poll(seconds):
            pytest.fail(f"the chain check did not finish within {seconds} s")
        answer: tuple[str, str] = receive.recv()
        return answer
    finally:
        if process.is_alive():
            process.kill()
        process.join()
