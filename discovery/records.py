"""What the portal publishes for an address, built as dnspython objects (README, *Publishing
for discovery*).

- the ``.well-known`` file name: the local part with ``.`` replaced by ``_``;
- TXT at ``LOCALPART._smime.DOMAIN.`` holding the HTTPS URL of that file;
- SMIMEA (RFC 8162 §3) at ``HEX._smimecert.DOMAIN.``, HEX being SHA2-256 of the UTF-8 local
  part truncated to 28 octets: ``3 0 0`` carries the whole certificate (what a sender needs to
  encrypt, RFC 8162 §4), ``3 1 1`` the SHA-256 of its SubjectPublicKeyInfo (a pin only);
- a CAA ``issuemail`` suggestion (RFC 9495).

Every name and value is a dnspython object and every text comes from dnspython, so odd local
parts are escaped the DNS way (``j\\195\\182rg``) instead of pasted into a string.
Nothing here imports Django.
"""

from __future__ import annotations

import hashlib
import shlex
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from dns.rdtypes.ANY.CAA import CAA
from dns.rdtypes.ANY.SMIMEA import SMIMEA
from dns.rdtypes.ANY.TXT import TXT

from certificates.pki.emails import ascii_lower

# RFC 5321 4.5.3.1.1; it also keeps every .well-known file name within what the server reads.
MAX_LOCAL_PART_OCTETS = 64
TXT_STRING_OCTETS = 255  # one character-string of a TXT record (RFC 1035 3.3)
SMIMEA_HASH_OCTETS = 28  # RFC 8162 §3: 56 hex digits, one label under DNS's 63-octet limit
WELL_KNOWN_PATH = "/.well-known/smime/"
# RFC 3986 pchar without percent: unreserved (kept by quote anyway), sub-delims, ":" and "@".
_PATH_SAFE = "!$&'()*+,;=:@"
# Characters no file name or owner name can carry sensibly; quoted local parts have no agreed
# mapping to either ("john doe"@… has no file name, and RFC 8162 hashes the unquoted form).
_REFUSED = {
    '"': "it is a quoted local part",
    "\\": "it contains a backslash",
    "/": "a '/' cannot be part of a file name",
}


# dnspython leaves these constructors unannotated; typed aliases keep the calls checked here.
_smimea: Callable[..., SMIMEA] = SMIMEA
_caa: Callable[..., CAA] = CAA


class RecordError(ValueError):
    """A local part or domain the portal cannot publish, with a sentence saying why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Kind(StrEnum):
    """What a record is for; the domain's settings choose which SMIMEA forms go into the zone."""

    TXT = "txt"
    SMIMEA_FULL = "smimea-3-0-0"
    SMIMEA_KEY_HASH = "smimea-3-1-1"
    CAA = "caa"


@dataclass(frozen=True)
class Record:
    kind: Kind
    name: dns.name.Name
    ttl: int
    rdata: dns.rdata.Rdata

    @property
    def type(self) -> str:
        return dns.rdatatype.to_text(self.rdata.rdtype)

    @property
    def name_text(self) -> str:
        return self.name.to_text()

    @property
    def value(self) -> str:
        # chunksize=0: hex on one line, so the value copies into any DNS console as one piece.
        return self.rdata.to_text(chunksize=0)

    def as_dict(self) -> dict[str, str | int]:
        return {"name": self.name_text, "type": self.type, "ttl": self.ttl, "value": self.value}


def check_local_part(local: str) -> None:
    """Raise RecordError saying why ``local`` cannot be published; return if it can."""
    for char, reason in _REFUSED.items():
        if char in local:
            raise RecordError(f"The local part {local!r} cannot be published: {reason}.")
    if any(ord(c) < 0x20 or ord(c) == 0x7F or c.isspace() for c in local):
        raise RecordError(f"The local part {local!r} contains spaces or control characters.")
    if len(local.encode("utf-8")) > MAX_LOCAL_PART_OCTETS:
        raise RecordError(
            f"The local part {local!r} is longer than the {MAX_LOCAL_PART_OCTETS} octets a mail "
            "address may have before the @ (RFC 5321), so it is not published."
        )
    txt_labels(local)  # empty or over-long labels


def txt_labels(local: str) -> list[bytes]:
    """The local part as DNS labels: its dots separate labels, each kept as UTF-8 octets."""
    labels = [part.encode("utf-8") for part in local.split(".")]
    if any(not label for label in labels):
        raise RecordError(
            f"The local part {local!r} starts or ends with a dot or has two in a row, so it has "
            "no DNS name under _smime."
        )
    long_label = next((label for label in labels if len(label) > 63), None)
    if long_label is not None:
        raise RecordError(
            f"A part of {local!r} between dots is {len(long_label)} octets long; DNS labels "
            "hold at most 63."
        )
    return labels


def domain_name(domain: str) -> dns.name.Name:
    """The mail domain as an absolute DNS name (internationalised names become xn--)."""
    try:
        return dns.name.from_unicode(domain.strip().rstrip(".") + ".")
    except dns.exception.DNSException as exc:
        raise RecordError(f"{domain!r} is not a domain name DNS can hold ({exc}).") from exc


def file_stem(local: str) -> str:
    """The .well-known file name without extension: ``first.last`` → ``first_last``."""
    return local.replace(".", "_")


def lookup_key(local: str) -> str:
    """The key a file is found by: the portal matches local parts case-insensitively (ASCII
    letters only, pki.emails' rule), so ``Alice.Example`` and ``alice_example`` name one file
    (and conflict if they differ)."""
    return ascii_lower(file_stem(local))


def file_names(local: str) -> list[str]:
    """The stems a static host needs: as written, plus lower case when that differs (static
    servers match names exactly, people type addresses in either case)."""
    stem = file_stem(local)
    return [stem] if stem == ascii_lower(stem) else [stem, ascii_lower(stem)]


def base_url(domain: str, configured: str) -> str:
    """Where the domain's ``.well-known`` is served: the configured URL or https://DOMAIN."""
    if configured.strip():
        return configured.strip().rstrip("/")
    return "https://" + domain_name(domain).to_text(omit_final_dot=True)


def well_known_url(base: str, local: str, suffix: str = ".crt") -> str:
    return base.rstrip("/") + WELL_KNOWN_PATH + quote(file_stem(local), safe=_PATH_SAFE) + suffix


def txt_owner(local: str, domain: str) -> dns.name.Name:
    return _under(txt_labels(local), b"_smime", domain)


def smimea_hash_label(local: str) -> str:
    """RFC 8162 §3: SHA2-256 of the local part's UTF-8 octets, truncated to 28 octets."""
    return hashlib.sha256(local.encode("utf-8")).digest()[:SMIMEA_HASH_OCTETS].hex()


def smimea_owner(local: str, domain: str) -> dns.name.Name:
    return _under([smimea_hash_label(local).encode("ascii")], b"_smimecert", domain)


def _under(labels: Sequence[bytes], marker: bytes, domain: str) -> dns.name.Name:
    try:
        return dns.name.Name([*labels, marker]).concatenate(domain_name(domain))
    except dns.name.NameTooLong as exc:
        raise RecordError(
            "The address is too long for a DNS name (at most 255 octets with the domain)."
        ) from exc


def smimea_owner_command(local: str) -> str:
    """The shell one-liner that computes the owner label by hand (the blog recipe without
    ``cut`` gives all 64 hex digits, a label DNS cannot hold)."""
    return f"printf %s {shlex.quote(local)} | sha256sum | cut -c1-56"


def txt_rdata(url: str) -> TXT:
    """The URL as TXT strings of at most 255 octets each; a reader joins them (RFC 7208 3.3
    does the same for SPF), so a long URL fits (a UTF-8 local part percent-encoded, a long
    domain)."""
    data = url.encode("utf-8")
    step = TXT_STRING_OCTETS
    chunks = [data[i : i + step] for i in range(0, len(data), step)] or [b""]
    return TXT(dns.rdataclass.IN, dns.rdatatype.TXT, chunks)


def smimea_full(certificate_der: bytes) -> SMIMEA:
    """``3 0 0``: DANE-EE, the full certificate, no hash."""
    return _smimea(dns.rdataclass.IN, dns.rdatatype.SMIMEA, 3, 0, 0, certificate_der)


def smimea_key_hash(spki_der: bytes) -> SMIMEA:
    """``3 1 1``: DANE-EE, SubjectPublicKeyInfo, SHA2-256."""
    digest = hashlib.sha256(spki_der).digest()
    return _smimea(dns.rdataclass.IN, dns.rdatatype.SMIMEA, 3, 1, 1, digest)


def spki_der(certificate_der: bytes) -> bytes:
    certificate = x509.load_der_x509_certificate(certificate_der)
    return certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def caa_issuemail(issuer_domain: str) -> CAA:
    """RFC 9495: only this CA may issue S/MIME certificates for the domain's addresses."""
    value = domain_name(issuer_domain).to_text(omit_final_dot=True)
    return _caa(dns.rdataclass.IN, dns.rdatatype.CAA, 0, b"issuemail", value.encode("ascii"))


@dataclass(frozen=True)
class Address:
    """What the records of one published address are built from."""

    local: str
    domain: str
    base_url: str
    ttl: int
    certificate_der: bytes


def address_records(address: Address, *, smimea: bool, lowercase_owner: bool) -> list[Record]:
    """TXT, then (for DNSSEC-signed domains) SMIMEA 3 0 0 and 3 1 1 at the owner of the local
    part as written, and at the lower-case owner too when the mail system folds case and the
    two differ (the hash sees every capital)."""
    local, domain, ttl = address.local, address.domain, address.ttl
    check_local_part(local)
    url = well_known_url(address.base_url, local)
    found = [Record(Kind.TXT, txt_owner(local, domain), ttl, txt_rdata(url))]
    if not smimea:
        return found
    spki = spki_der(address.certificate_der)
    folded = ascii_lower(local)
    locals_ = [local] + ([folded] if lowercase_owner and local != folded else [])
    for part in locals_:
        owner = smimea_owner(part, domain)
        found.append(Record(Kind.SMIMEA_FULL, owner, ttl, smimea_full(address.certificate_der)))
        found.append(Record(Kind.SMIMEA_KEY_HASH, owner, ttl, smimea_key_hash(spki)))
    return found


def owned_names(local: str, domain: str) -> list[tuple[dns.name.Name, str]]:
    """Every (owner, type) an address's records can occupy, whatever the domain's settings:
    what a DNS update replaces or deletes so nothing stale is left behind."""
    owners = {smimea_owner(local, domain), smimea_owner(ascii_lower(local), domain)}
    return [(txt_owner(local, domain), "TXT")] + [(o, "SMIMEA") for o in sorted(owners)]


def rrsets(records: Iterable[Record]) -> list[dns.rrset.RRset]:
    """Records merged into RRsets by owner and type, in a stable order."""
    merged: dict[tuple[dns.name.Name, int], dns.rrset.RRset] = {}
    for record in records:
        key = (record.name, record.rdata.rdtype)
        if key not in merged:
            merged[key] = dns.rrset.RRset(record.name, dns.rdataclass.IN, record.rdata.rdtype)
        merged[key].add(record.rdata, record.ttl)
    return [merged[key] for key in sorted(merged)]


def zone_snippet(records: Iterable[Record], comment: str = "") -> str:
    """Zone-file lines with absolute owner names, to paste into (or $INCLUDE in) the zone."""
    lines = [f"; {line}" for line in comment.splitlines()]
    lines += [rrset.to_text(chunksize=0) for rrset in rrsets(records)]
    return "\n".join(lines) + "\n"
