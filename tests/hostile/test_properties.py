"""Properties of the pure parsers and builders, checked by hypothesis on inputs it makes up
(issue 11): PEM/DER/PKCS#7 splitting, local part -> file name and DNS owner names, record text.

Each property states what holds for every input: a round trip gives back what went in, a
parser given anything raises nothing but its module's own refusal, a name built for DNS or a
file system is one DNS or the file system can hold. The runs are derandomized and bounded, so
CI sees the same examples every time.
"""

from __future__ import annotations

import base64
import hashlib
import textwrap
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.zone
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from certificates.pki import bundle, der, pem
from certificates.pki import csr as pki_csr
from certificates.pki.errors import PkiError
from discovery import recipient, records, wellknown
from tests.testca import SmimeTestCA

BOUNDED = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
DOMAINS = ["example.com", "mail.example.org", "bücher.example", "a.b.c.d.example.net"]

_NOW = datetime.now(UTC)
_CA = SmimeTestCA(now=_NOW)
_LEAVES = [
    _CA.issue(ec.generate_private_key(ec.SECP256R1()).public_key(), f"p{n}@example.com", now=_NOW)
    for n in range(3)
]
POOL = [*_LEAVES, _CA.issuing, _CA.root]

# PEM labels as the BEGIN line allows them: capitals, digits, inner spaces.
labels = st.from_regex(r"[A-Z0-9]([A-Z0-9 ]{0,18}[A-Z0-9])?", fullmatch=True).filter(
    lambda label: "PRIVATE KEY" not in label
)
# Text around PEM blocks: anything without the five dashes that mark a BEGIN or END line.
around = st.text(max_size=40).map(str.encode).filter(lambda text: b"-----" not in text)
local_parts = st.one_of(
    st.text(max_size=90),
    st.text(alphabet="abcXYZ019._-+=!#$%&'*/?^`{|}~üé\\\" @", max_size=140),
    # Long ones, in labels DNS would take: where file-name and owner-name limits part ways.
    st.lists(st.text(alphabet="aZ_-ü", min_size=30, max_size=63), min_size=1, max_size=5).map(
        ".".join
    ),
)


def _pem(label: str, payload: bytes) -> bytes:
    body = "\n".join(textwrap.wrap(base64.b64encode(payload).decode(), 64))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n".encode()


# PEM, DER, PKCS#7


@BOUNDED
@given(st.lists(st.tuples(labels, st.binary(max_size=300)), max_size=6), around, around)
def test_pem_blocks_gives_back_every_block_in_order(
    blocks: list[tuple[str, bytes]], before: bytes, between: bytes
) -> None:
    text = before + between.join(_pem(label, payload) for label, payload in blocks)
    assert pem.pem_blocks(text) == blocks


@BOUNDED
@given(st.binary(max_size=2000))
def test_pem_blocks_of_any_bytes_is_blocks_or_a_pki_error(data: bytes) -> None:
    try:
        found = pem.pem_blocks(data)
    except PkiError:
        return
    assert len(found) <= pem.MAX_PEM_BLOCKS


@BOUNDED
@given(st.binary(min_size=48, max_size=600), st.sampled_from([b"\n", b"\r\n", b" ", b"\t"]))
def test_bare_base64_reads_pasted_base64_whatever_the_line_breaks(
    payload: bytes, newline: bytes
) -> None:
    encoded = base64.b64encode(payload)
    wrapped = newline.join(encoded[i : i + 64] for i in range(0, len(encoded), 64))
    assert pem.bare_base64(wrapped) == payload


def _tlv(tag: int, content: bytes) -> bytes:
    if len(content) < 0x80:
        return bytes([tag, len(content)]) + content
    size = len(content).to_bytes((len(content).bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content


single_byte_tags = st.integers(0, 255).filter(lambda tag: tag & 0x1F != 0x1F)


@BOUNDED
@given(single_byte_tags, st.binary(max_size=600), st.binary(max_size=20))
def test_der_read_gives_back_an_element_and_the_rest(tag: int, content: bytes, rest: bytes) -> None:
    encoded = _tlv(tag, content)
    assert der.read(encoded + rest) == (der.Element(tag, content, encoded), rest)


@BOUNDED
@given(st.binary(max_size=300))
def test_der_children_of_any_bytes_is_elements_or_a_pki_error(data: bytes) -> None:
    try:
        items = der.children(data)
    except PkiError:
        return
    assert b"".join(item.encoded for item in items) == data


@BOUNDED
@given(st.lists(st.sampled_from(POOL), min_size=1, max_size=6), around, around)
def test_certificates_survive_pem_with_text_around_and_pkcs7(
    certs: list[x509.Certificate], before: bytes, after: bytes
) -> None:
    unique = list(dict.fromkeys(certs))  # a file naming one certificate twice holds it once
    text = before + bundle.certificates_to_pem(certs).encode() + after
    assert bundle.load_certificates(text) == unique
    assert set(bundle.load_certificates(bundle.certificates_to_pkcs7_der(certs))) == set(unique)


# Prefixes and single-byte changes of real files, and plain noise: the upload parsers answer
# with their own refusal or a result, never another exception.
_REAL = [
    POOL[0].public_bytes(serialization.Encoding.DER),
    POOL[0].public_bytes(serialization.Encoding.PEM),
    bundle.certificates_to_pkcs7_der(POOL),
]
damaged = st.one_of(
    st.binary(max_size=1500),
    st.tuples(st.sampled_from(_REAL), st.integers(0, 3000)).map(lambda p: p[0][: p[1]]),
    st.tuples(st.sampled_from(_REAL), st.integers(0, 3000), st.integers(0, 255)).map(
        lambda p: p[0][: p[1] % len(p[0])] + bytes([p[2]]) + p[0][p[1] % len(p[0]) + 1 :]
    ),
)


@BOUNDED
@given(damaged)
def test_upload_parsers_refuse_damaged_files_with_a_pki_error(data: bytes) -> None:
    for parse in (bundle.load_certificates, pki_csr.load_csr, recipient.read):
        try:
            parse(data)
        except PkiError:
            pass


# Local part -> DNS owner names and file names


def _publishable(local: str) -> bool:
    try:
        records.check_local_part(local)
    except records.RecordError:
        return False
    return True


@BOUNDED
@given(local_parts, st.sampled_from(DOMAINS))
def test_owner_names_are_names_dns_can_hold_or_a_record_error(local: str, domain: str) -> None:
    try:
        records.check_local_part(local)
        owners = [records.txt_owner(local, domain), records.smimea_owner(local, domain)]
    except records.RecordError:
        return
    for owner in owners:
        assert owner.is_absolute()
        assert all(len(label) <= 63 for label in owner.labels)
        assert len(owner.to_wire()) <= 255
        assert len(b".".join(owner.labels[:-1])) <= 253
        assert dns.name.from_text(owner.to_text()) == owner  # the zone text reads back
    txt, smimea = owners
    assert list(txt.labels[: -len(records.domain_name(domain).labels) - 1]) == [
        part.encode() for part in local.split(".")
    ]
    hashed = hashlib.sha256(local.encode()).digest()[:28].hex()
    assert smimea.labels[0] == hashed.encode() and smimea.labels[1] == b"_smimecert"


@BOUNDED
@given(local_parts)
def test_checking_a_local_part_raises_nothing_but_a_record_error(local: str) -> None:
    try:
        records.check_local_part(local)
    except records.RecordError as exc:
        assert exc.message


@BOUNDED
@given(local_parts.filter(_publishable))
def test_file_names_are_safe_and_served_back_under_the_local_parts_key(local: str) -> None:
    for stem in records.file_names(local):
        assert stem and stem not in (".", "..")
        assert "/" not in stem and "\\" not in stem and "." not in stem
        assert not any(ord(c) < 0x20 or ord(c) == 0x7F for c in stem)
        wanted = wellknown.parse_path(wellknown.PREFIX + stem + ".crt")
        assert wanted == wellknown.WantedFile(records.lookup_key(local), "crt")


@BOUNDED
@given(local_parts.filter(_publishable))
def test_the_well_known_url_names_the_file_and_nothing_else(local: str) -> None:
    url = records.well_known_url("https://example.com", local)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.query, parts.fragment) == (
        "https",
        "example.com",
        "",
        "",
    )
    assert not any(c.isspace() or ord(c) < 0x20 for c in url)
    path = unquote(parts.path)
    assert path == records.WELL_KNOWN_PATH + records.file_stem(local) + ".crt"


@BOUNDED
@given(local_parts.filter(_publishable), local_parts.filter(_publishable))
def test_two_local_parts_on_one_file_name_share_one_lookup_key(first: str, second: str) -> None:
    """The publishing service refuses a second address whose lookup key is taken; every pair
    of local parts that would write one file (or one file a case-blind server mixes up) has
    one key, so the refusal sees it."""
    stems = set(records.file_names(first)) & set(records.file_names(second))
    if stems or records.file_stem(first).lower() == records.file_stem(second).lower():
        assert records.lookup_key(first) == records.lookup_key(second)


def test_dots_and_underscores_collide_on_one_key() -> None:
    """The collision the property above is about, stated once by hand."""
    assert records.lookup_key("jane.doe") == records.lookup_key("Jane_Doe") == "jane_doe"


# Record text


@BOUNDED
@given(local_parts.filter(_publishable), st.sampled_from(DOMAINS))
def test_txt_record_text_reads_back_to_the_url(local: str, domain: str) -> None:
    url = records.well_known_url(records.base_url(domain, ""), local)
    rdata = records.txt_rdata(url)
    text = rdata.to_text()
    assert dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.TXT, text) == rdata
    assert b"".join(rdata.strings).decode() == url


@BOUNDED
@given(st.binary(min_size=1, max_size=2000))
def test_smimea_record_text_reads_back(blob: bytes) -> None:
    rdata = records.smimea_full(blob)
    text = rdata.to_text(chunksize=0)
    assert dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.SMIMEA, text) == rdata
    assert "\n" not in text


@BOUNDED
@given(
    st.lists(local_parts.filter(_publishable), min_size=1, max_size=3, unique=True),
    st.sampled_from(DOMAINS),
    st.booleans(),
    st.text(max_size=60),
)
def test_zone_snippets_read_back_as_the_records_they_were_made_from(
    locals_: list[str], domain: str, lowercase: bool, comment: str
) -> None:
    built = []
    for local in locals_:
        address = records.Address(
            local, domain, "", 3600, POOL[0].public_bytes(serialization.Encoding.DER)
        )
        try:
            built += records.address_records(address, smimea=True, lowercase_owner=lowercase)
        except records.RecordError:
            assume(False)
    snippet = records.zone_snippet(built, comment)
    origin = records.domain_name(domain)
    zone = dns.zone.from_text(snippet, origin=origin, relativize=False, check_origin=False)
    for record in built:
        rdataset = zone.find_rdataset(record.name, record.rdata.rdtype)
        assert record.rdata in rdataset and rdataset.ttl == record.ttl
    read_back = sum(len(rdataset) for _, rdataset in zone.iterate_rdatasets())
    assert read_back == len({(r.name, r.rdata) for r in built})


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_domains_used_above_are_valid(domain: str) -> None:
    assert records.domain_name(domain).is_absolute()
