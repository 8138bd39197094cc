"""Upload files an attacker would size to hurt the parser, each made to a given size limit.

Each maker takes the byte budget of the door it is sent to (256 KB for certificate files,
64 KB for CSRs) and returns a file as close to it as it can; see adversarial_uploads.py.
"""

from __future__ import annotations

import base64
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

DER = serialization.Encoding.DER
NOW = datetime.now(UTC)
_KEY = ec.generate_private_key(ec.SECP256R1())


@dataclass(frozen=True)
class HostileInput:
    name: str
    make: Callable[[int], bytes]  # byte budget -> file
    pem_label: str | None  # None: the file is text already; else the label to wrap its DER in


def pem(label: str, der: bytes) -> bytes:
    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n".encode()


def as_text(item: HostileInput, budget: int) -> bytes:
    """The file for a door that takes text (JSON): DER is wrapped in PEM within the budget."""
    if item.pem_label is None:
        return item.make(budget)
    return pem(item.pem_label, item.make(budget * 3 // 4 * 63 // 64 - 200))


def unmatched_begin_lines(budget: int) -> bytes:
    """The issue's file at budget 262,136: BEGIN lines without an END, 23 s before the fix."""
    return b"-----BEGIN A" * ((budget - 5) // 12) + b"-----"


def begin_lines_under_the_cap(budget: int) -> bytes:
    """30 BEGIN lines without an END, far apart: under the block cap, so the scan runs."""
    line = b"-----BEGIN CERTIFICATE-----\n"
    filler = b"A" * ((budget - 30 * len(line)) // 30 - 1) + b"\n"
    return (line + filler) * 30


def _fill(budget: int, build: Callable[[int], bytes], per_item: int) -> bytes:
    """build(n) for about the largest n whose output fits the budget (sizes grow linearly in n,
    so a few proportional corrections from the first guess get there)."""
    count, best = max(1, budget // per_item), b""
    for _ in range(5):
        data = build(count)
        if len(data) <= budget and len(data) > len(best):
            best = data
        count = max(1, count * budget // len(data) - 1)
    return best


def _addresses(count: int) -> x509.SubjectAlternativeName:
    # Short entries, so that a budget holds as many as possible (the issue's: 9,292 in 64 KB).
    return x509.SubjectAlternativeName([x509.RFC822Name(f"{n:x}@x") for n in range(count)])


def _certificate(serial: int, san: x509.SubjectAlternativeName | None = None) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Hostile {serial}")])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(_KEY.public_key())
        .serial_number(serial + 1)
        .not_valid_before(NOW - timedelta(hours=1))
        .not_valid_after(NOW + timedelta(days=30))
    )
    if san is not None:
        builder = builder.add_extension(san, critical=False)
    return builder.sign(_KEY, hashes.SHA256())


def certificate_with_thousands_of_addresses(budget: int) -> bytes:
    return _fill(budget, lambda n: _certificate(0, _addresses(n)).public_bytes(DER), 8)


def csr_with_thousands_of_addresses(budget: int) -> bytes:
    """The issue's second probe: SAN de-duplication was quadratic (9,292 SANs, 3.6 s)."""

    def build(count: int) -> bytes:
        csr = (
            x509.CertificateSigningRequestBuilder()
            .subject_name(x509.Name([]))
            .add_extension(_addresses(count), critical=False)
            .sign(_KEY, hashes.SHA256())
        )
        return csr.public_bytes(DER)

    return _fill(budget, build, 8)


_MANY: list[x509.Certificate] = []


def _certificates(count: int) -> list[x509.Certificate]:
    while len(_MANY) < count:
        _MANY.append(_certificate(len(_MANY)))
    return _MANY[:count]


def hundreds_of_certificates_pem(budget: int) -> bytes:
    return _fill(
        budget,
        lambda n: b"".join(c.public_bytes(serialization.Encoding.PEM) for c in _certificates(n)),
        600,
    )


def hundreds_of_certificates_pkcs7(budget: int) -> bytes:
    return _fill(budget, lambda n: pkcs7.serialize_certificates(_certificates(n), DER), 420)


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def deep_asn1_nesting(budget: int) -> bytes:
    """SEQUENCE { SEQUENCE { ... NULL } } as deep as the budget allows (tens of thousands)."""
    headers: list[bytes] = []
    inner = 2  # NULL
    while True:
        header = b"\x30" + _der_length(inner)
        if inner + len(header) > budget:
            break
        headers.append(header)
        inner += len(header)
    return b"".join(reversed(headers)) + b"\x05\x00"


INPUTS = [
    HostileInput("unmatched BEGIN lines (the issue's file)", unmatched_begin_lines, None),
    HostileInput("30 BEGIN lines without END, far apart", begin_lines_under_the_cap, None),
    HostileInput(
        "certificate with thousands of SANs",
        certificate_with_thousands_of_addresses,
        "CERTIFICATE",
    ),
    HostileInput(
        "CSR with thousands of SANs", csr_with_thousands_of_addresses, "CERTIFICATE REQUEST"
    ),
    HostileInput("hundreds of certificates (PEM)", hundreds_of_certificates_pem, None),
    HostileInput("hundreds of certificates (PKCS#7)", hundreds_of_certificates_pkcs7, "PKCS7"),
    HostileInput("deep ASN.1 nesting (DER)", deep_asn1_nesting, "CERTIFICATE"),
]

# Not a file: the whole JSON body, for the doors that read JSON.
DEEP_JSON = b"[" * 200_000 + b"]" * 200_000
