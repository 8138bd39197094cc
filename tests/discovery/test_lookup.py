"""discovery.lookup and discovery.recipient directly: which URLs are tried, the time budget,
SMIMEA matching by RFC 6698's selectors and matching types, and what an answer may hold. The
DNS and HTTP seams are plain functions here; test_lookup_live.py and test_lookup_answers.py
drive the real peers."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import dns.name
import dns.rdataclass
import dns.rdatatype
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from dns.rdtypes.ANY.SMIMEA import SMIMEA

from certificates.fetcher import FetchError, FetchResult
from certificates.pki.errors import PkiError
from discovery import lookup, recipient, records
from discovery.dnsclient import Answer
from tests.testca import SmimeTestCA

NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def ca() -> SmimeTestCA:
    return SmimeTestCA(now=NOW)


@pytest.fixture(scope="module")
def jane(ca: SmimeTestCA) -> x509.Certificate:
    return ca.issue(
        ec.generate_private_key(ec.SECP256R1()).public_key(), "jane@example.com", now=NOW
    )


def test_without_txt_the_https_well_known_url_is_tried_as_written_then_in_lower_case() -> None:
    assert lookup.direct_urls("Alice.Example", "example.com") == [
        "https://example.com/.well-known/smime/Alice_Example.crt",
        "https://example.com/.well-known/smime/alice_example.crt",
    ]
    assert lookup.direct_urls("jörg", lookup.address_parts("jörg@Bücher.example")[1]) == [
        "https://xn--bcher-kva.example/.well-known/smime/j%C3%B6rg.crt"
    ]


def test_the_lookup_stops_asking_when_its_time_is_used_up() -> None:
    def never(*args: object, **kwargs: object) -> Answer:
        raise AssertionError("nothing is asked once the budget is spent")

    seams = lookup.Seams(resolve=never, fetch=never)  # type: ignore[arg-type]
    result = lookup.look_up("jane@example.com", seams, NOW, seconds=0)
    assert [(s.name, s.status) for s in result.steps] == [
        ("txt", "error"),
        ("certificate", "error"),
        ("smimea", "error"),
    ]
    assert all("the lookup used up its 0 seconds" in s.detail for s in result.steps)
    assert not result.usable


def test_an_address_too_long_for_an_smimea_owner_is_an_error_step_not_a_crash() -> None:
    """56 hex digits and _smimecert need 68 octets: a 190-octet domain leaves them no room."""
    domain = ".".join(["x" * 60] * 3) + ".example"

    def gone(url: str, **limits: object) -> FetchResult:
        raise FetchError(f"{url} answered HTTP 404.", status=404)

    seams = lookup.Seams(lambda name, rdtype, timeout: Answer(), gone)
    result = lookup.look_up(f"a@{domain}", seams, NOW)
    assert result.step(lookup.StepName.TXT).status == "missing"
    smimea = result.step(lookup.StepName.SMIMEA)
    assert (smimea.status, smimea.detail) == (
        "error",
        "The address is too long for a DNS name (at most 255 octets with the domain).",
    )


def test_of_several_txt_records_the_first_url_in_sort_order_is_fetched(
    jane: x509.Certificate,
) -> None:
    values = ["v=spf1 -all", "https://b.example/jane.crt", "https://a.example/jane.crt"]
    fetched: list[str] = []

    def resolve(name: dns.name.Name, rdtype: str, timeout: float) -> Answer:
        if rdtype != "TXT":
            return Answer()
        return Answer(tuple(records.txt_rdata(value) for value in values))

    def fetch(url: str, **limits: object) -> FetchResult:
        fetched.append(url)
        return FetchResult(url, 200, "", jane.public_bytes(serialization.Encoding.PEM), "")

    result = lookup.look_up("jane@example.com", lookup.Seams(resolve, fetch), NOW)
    assert fetched == ["https://a.example/jane.crt"]
    txt = result.step(lookup.StepName.TXT)
    assert txt.detail == (
        "It points to https://a.example/jane.crt. (3 TXT records are there; the first URL in "
        "sort order is used.)"
    )
    assert result.usable and not result.vouched


def test_a_certificate_from_the_second_direct_url_is_used_after_a_404(
    jane: x509.Certificate,
) -> None:
    def fetch(url: str, **limits: object) -> FetchResult:
        if url.endswith("/Jane.crt"):
            raise FetchError(f"{url} answered HTTP 404.", status=404)
        return FetchResult(url, 200, "", jane.public_bytes(serialization.Encoding.DER), "")

    seams = lookup.Seams(lambda name, rdtype, timeout: Answer(), fetch)
    result = lookup.look_up("Jane@example.com", seams, NOW)
    assert result.step(lookup.StepName.CERTIFICATE).asked == (
        "https://example.com/.well-known/smime/jane.crt"
    )
    assert result.usable


def smimea(usage: int, selector: int, mtype: int, data: bytes) -> SMIMEA:
    return SMIMEA(dns.rdataclass.IN, dns.rdatatype.SMIMEA, usage, selector, mtype, data)  # type: ignore[no-untyped-call]


def test_smimea_records_match_by_selector_and_matching_type(
    ca: SmimeTestCA, jane: x509.Certificate
) -> None:
    der = jane.public_bytes(serialization.Encoding.DER)
    spki = records.spki_der(der)
    assert recipient.smimea_matches(records.smimea_full(der), jane) is True
    assert recipient.smimea_matches(records.smimea_key_hash(spki), jane) is True
    assert recipient.smimea_matches(smimea(1, 1, 2, hashlib.sha512(spki).digest()), jane) is True
    assert recipient.smimea_matches(smimea(3, 0, 1, hashlib.sha256(der).digest()), jane) is True
    other = ca.issue(
        ec.generate_private_key(ec.SECP256R1()).public_key(), "jane@example.com", now=NOW
    )
    assert recipient.smimea_matches(records.smimea_full(der), other) is False
    # About a CA (usages 0 and 2), or of kinds RFC 6698 does not define: not comparable.
    assert recipient.smimea_matches(smimea(2, 0, 0, der), jane) is None
    assert recipient.smimea_matches(smimea(3, 7, 0, der), jane) is None
    assert recipient.smimea_matches(smimea(3, 1, 9, spki), jane) is None


def test_judging_a_certificate_for_a_sender(ca: SmimeTestCA, jane: x509.Certificate) -> None:
    assert recipient.judge(jane, "JANE@Example.COM", NOW).usable  # pki.emails matching
    assert recipient.judge(jane, "jane@example.com", NOW + timedelta(days=400)).detail.startswith(
        "It expired on "
    )
    assert recipient.judge(jane, "jäne@example.com", NOW).mismatch  # no Unicode folding
    no_san = ca.issue(
        ec.generate_private_key(ec.SECP256R1()).public_key(), "jane@example.com", now=NOW, san=False
    )
    judged = recipient.judge(no_san, "jane@example.com", NOW)
    assert judged.mismatch
    assert judged.detail == (
        "It is for no email address (no rfc822Name in its subjectAltName), not jane@example.com."
    )


def test_answers_holding_a_key_or_nothing_are_refused_with_what_they_are(
    jane: x509.Certificate,
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    bundle = pkcs12.serialize_key_and_certificates(
        b"jane", key, None, [jane], serialization.BestAvailableEncryption(b"pw")
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    for body, words in [
        (bundle, "is a PKCS#12 (.p12/.pfx) bundle with a private key; nothing of it is shown"),
        (der_key, "is a private key, not a certificate"),
        (b"  \n", "The answer is empty."),
        (b"-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n", "damaged"),
    ]:
        with pytest.raises(PkiError, match=words.replace("(", r"\(").replace(")", r"\)")):
            recipient.read(body)


@pytest.mark.parametrize(
    "vector",
    [
        "x509/custom/invalid_version.pem",
        "x509/custom/two_basic_constraints.pem",
        "x509/san_edipartyname.der",
        "pkcs7/enveloped.pem",
    ],
)
def test_answers_cryptography_will_not_read_are_refused_not_raised(vector: str) -> None:
    """A fetched answer that makes cryptography raise something other than ValueError is
    reported as unreadable (the first corpus run, issue 11, crashed the lookup on these)."""
    from tests.hostile.corpus import VECTORS

    with pytest.raises(PkiError):
        recipient.read((VECTORS / vector).read_bytes())
