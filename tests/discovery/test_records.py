"""discovery.records: owner names and RDATA checked against values computed here, independently
(hashlib, cryptography), and against RFC 8162's own example and rules."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import dns.name
import dns.rdata
import dns.zone
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from discovery import records
from tests.testca import SmimeTestCA


@pytest.fixture(scope="module")
def der() -> bytes:
    ca = SmimeTestCA(now=datetime.now(UTC))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = ca.issue(key.public_key(), "first.last@example.com", now=datetime.now(UTC))
    return leaf.public_bytes(serialization.Encoding.DER)


def address(local: str, der: bytes, base: str = "") -> records.Address:
    return records.Address(
        local=local,
        domain="example.com",
        base_url=records.base_url("example.com", base),
        ttl=3600,
        certificate_der=der,
    )


def test_smimea_owner_matches_rfc_8162_example() -> None:
    owner = records.smimea_owner("hugh", "example.com")
    assert owner.to_text() == (
        "c93f1e400f26708f98cb19d936620da35eec8f72e57f9eec01c1afd6._smimecert.example.com."
    )


@pytest.mark.parametrize("local", ["first.last", "Alice.Example", "a+tag", "jörg", "o'neil"])
def test_smimea_owner_is_sha256_of_utf8_local_part_truncated_to_28_octets(local: str) -> None:
    expected = hashlib.sha256(local.encode("utf-8")).hexdigest()[:56]
    owner = records.smimea_owner(local, "example.com")
    assert owner.labels[0].decode() == expected
    assert owner.labels[1:] == (b"_smimecert", b"example", b"com", b"")


def test_full_64_digit_hash_of_blog_recipes_is_no_dns_label() -> None:
    with pytest.raises(dns.name.LabelTooLong):
        dns.name.from_text(hashlib.sha256(b"first.last").hexdigest() + "._smimecert.example.com.")


def test_smimea_owner_does_not_fold_case() -> None:
    assert records.smimea_owner("Hugh", "example.com") != records.smimea_owner(
        "hugh", "example.com"
    )


def test_owner_command_prints_the_56_digit_label() -> None:
    assert records.smimea_owner_command("first.last") == (
        "printf %s first.last | sha256sum | cut -c1-56"
    )
    assert records.smimea_owner_command("o'neil") == (
        "printf %s 'o'\"'\"'neil' | sha256sum | cut -c1-56"
    )


def test_records_of_first_last(der: bytes) -> None:
    found = records.address_records(address("first.last", der), smimea=True, lowercase_owner=True)
    as_text = [(r.name_text, r.type, r.ttl, r.value) for r in found]
    owner = hashlib.sha256(b"first.last").hexdigest()[:56] + "._smimecert.example.com."
    spki = serialization.load_der_public_key(records.spki_der(der)).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert as_text == [
        (
            "first.last._smime.example.com.",
            "TXT",
            3600,
            '"https://example.com/.well-known/smime/first_last.crt"',
        ),
        (owner, "SMIMEA", 3600, "3 0 0 " + der.hex()),
        (owner, "SMIMEA", 3600, "3 1 1 " + hashlib.sha256(spki).hexdigest()),
    ]


def test_spki_hash_is_of_the_certificates_public_key(der: bytes) -> None:
    from cryptography import x509

    key = x509.load_der_x509_certificate(der).public_key()
    spki = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert records.smimea_key_hash(records.spki_der(der)).cert == hashlib.sha256(spki).digest()


def test_no_smimea_for_domains_without_dnssec(der: bytes) -> None:
    found = records.address_records(address("first.last", der), smimea=False, lowercase_owner=True)
    assert [r.type for r in found] == ["TXT"]


def test_capitals_add_the_lower_case_smimea_owner_where_the_mail_system_folds_case(
    der: bytes,
) -> None:
    folded = records.address_records(
        address("Alice.Example", der), smimea=True, lowercase_owner=True
    )
    owners = {r.name_text for r in folded if r.type == "SMIMEA"}
    assert owners == {
        hashlib.sha256(b"Alice.Example").hexdigest()[:56] + "._smimecert.example.com.",
        hashlib.sha256(b"alice.example").hexdigest()[:56] + "._smimecert.example.com.",
    }
    exact = records.address_records(
        address("Alice.Example", der), smimea=True, lowercase_owner=False
    )
    assert len({r.name_text for r in exact if r.type == "SMIMEA"}) == 1


@pytest.mark.parametrize(
    ("local", "txt_owner", "file"),
    [
        ("a+tag", "a+tag._smime.example.com.", "a+tag.crt"),
        ("jörg", "j\\195\\182rg._smime.example.com.", "j%C3%B6rg.crt"),
        ("o'neil", "o'neil._smime.example.com.", "o'neil.crt"),
        ("100%", "100%._smime.example.com.", "100%25.crt"),
        ("a#b?c", "a#b?c._smime.example.com.", "a%23b%3Fc.crt"),
        ("semi;colon", "semi\\;colon._smime.example.com.", "semi;colon.crt"),
        ("Alice.Example", "Alice.Example._smime.example.com.", "Alice_Example.crt"),
    ],
)
def test_odd_local_parts_are_escaped_for_dns_and_for_the_url(
    local: str, txt_owner: str, file: str, der: bytes
) -> None:
    (txt,) = records.address_records(address(local, der), smimea=False, lowercase_owner=True)
    assert txt.name_text == txt_owner
    assert txt.value == f'"https://example.com/.well-known/smime/{file}"'
    # The text reads back as the same name (zone-file escaping round-trips).
    assert dns.name.from_text(txt_owner) == txt.name


@pytest.mark.parametrize(
    ("local", "reason"),
    [
        ('"john doe"', "quoted local part"),
        ("a\\b", "backslash"),
        ("a/b", "file name"),
        (".start", "dot"),
        ("a..b", "dot"),
        ("x" * 64, "at most 63"),
    ],
)
def test_local_parts_without_a_sane_name_are_refused_with_the_reason(
    local: str, reason: str, der: bytes
) -> None:
    with pytest.raises(records.RecordError, match=reason):
        records.address_records(address(local, der), smimea=True, lowercase_owner=True)


def test_configured_base_url_is_used_for_the_txt_value(der: bytes) -> None:
    (txt,) = records.address_records(
        address("first.last", der, "https://keys.example.net/"), smimea=False, lowercase_owner=True
    )
    assert txt.value == '"https://keys.example.net/.well-known/smime/first_last.crt"'


def test_file_names_offer_the_lower_case_name_too() -> None:
    assert records.file_names("Alice.Example") == ["Alice_Example", "alice_example"]
    assert records.file_names("first.last") == ["first_last"]
    assert records.lookup_key("First.Last") == records.lookup_key("first_last") == "first_last"


def test_names_fold_ascii_capitals_only_like_the_portals_address_rule(der: bytes) -> None:
    """str.lower() turns "İ" into "i" plus a combining dot and "Ä" into "ä"; mail systems do
    not agree on that, and pki.emails never folds them: neither do file names and owners."""
    assert records.lookup_key("İlker.Ärger") == "İlker_Ärger"
    assert records.file_names("İlker.Ärger") == ["İlker_Ärger"]
    assert records.file_names("Ärger.Xy") == ["Ärger_Xy", "Ärger_xy"]
    found = records.address_records(address("Ärger.Xy", der), smimea=True, lowercase_owner=True)
    owners = {r.name.labels[0].decode() for r in found if r.type == "SMIMEA"}
    assert owners == {
        hashlib.sha256("Ärger.Xy".encode()).hexdigest()[:56],
        hashlib.sha256("Ärger.xy".encode()).hexdigest()[:56],
    }
    smimea_owners = [
        name for name, rdtype in records.owned_names("İ", "example.com") if rdtype == "SMIMEA"
    ]
    assert smimea_owners == [records.smimea_owner("İ", "example.com")]


def test_caa_issuemail_suggestion() -> None:
    assert records.caa_issuemail("sectigo.com").to_text() == '0 issuemail "sectigo.com"'


def test_zone_snippet_merges_rrsets_and_reads_back_as_the_same_records(der: bytes) -> None:
    found = records.address_records(address("jörg", der), smimea=True, lowercase_owner=True)
    found += records.address_records(address("a+tag", der), smimea=True, lowercase_owner=True)
    text = records.zone_snippet(found, "made for a test")
    assert text.startswith("; made for a test\n")
    zone_text = "@ 3600 IN SOA ns hostmaster 1 3600 600 86400 60\n@ 3600 IN NS ns\nns A 192.0.2.1\n"
    zone = dns.zone.from_text(zone_text + text, origin="example.com.", relativize=False)
    for record in found:
        rdataset = zone.find_rdataset(record.name, record.rdata.rdtype)
        assert record.rdata in rdataset
        assert rdataset.ttl == 3600
    assert len(text.splitlines()) == 1 + 2 * 3  # comment, then TXT, 3 0 0 and 3 1 1 per address


def test_a_local_part_longer_than_a_mail_address_allows_is_refused(der: bytes) -> None:
    """65 octets in labels DNS would take: refused, because the .well-known server reads file
    names up to 200 characters and such a name (found by the property tests, issue 11) was
    published in DNS with a file nobody could fetch."""
    local = ".".join(["a" * 60, "b" * 4])  # 65 octets
    with pytest.raises(records.RecordError, match="longer than the 64 octets"):
        records.address_records(address(local, der), smimea=False, lowercase_owner=True)
    assert records.address_records(address(local[:-1], der), smimea=False, lowercase_owner=True)


def test_a_txt_url_longer_than_one_dns_string_is_split_and_joins_back(der: bytes) -> None:
    """A TXT string holds 255 octets; a percent-encoded UTF-8 local part on a long base URL
    is longer (dnspython raised ValueError, found by the property tests, issue 11)."""
    local = "é" * 31 + "x"  # 63 octets, 187 characters once percent-encoded
    base = "https://" + "keys." * 12 + "example.com"
    (txt,) = records.address_records(address(local, der, base), smimea=False, lowercase_owner=True)
    strings = txt.rdata.strings  # type: ignore[attr-defined]
    assert len(strings) == 2 and all(len(s) <= 255 for s in strings)
    assert b"".join(strings).decode() == records.well_known_url(base, local)
    assert dns.rdata.from_text("IN", "TXT", txt.value) == txt.rdata
