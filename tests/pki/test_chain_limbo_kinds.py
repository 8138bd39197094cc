"""The chain check on chains of the kinds C2SP x509-limbo tests (bench/limbo.py runs the suite
itself; CI downloads nothing, so these build their own), each leaf an S/MIME certificate so
that the property under test decides the verdict."""

import warnings

import pytest
from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning

from certificates.pki.chain import ChainResult, Verdict, verify_chain
from certificates.pki.chain_rules import MAX_INTERMEDIATES
from tests.pki.chainkit import (
    DAY,
    CaSpec,
    Issuer,
    Window,
    ca,
    judged_within,
    leaf,
    name,
    new_key,
    unrooted_chain,
    with_raw_serial,
)
from tests.pki.conftest import NOW

WINDOW = Window.around(NOW)
# Generous: the fixed check answers in milliseconds; before it, four CAs sharing a name and a
# key took cryptography's path builder 50 s.
BOUND_SECONDS = 10


@pytest.fixture(scope="module")
def root() -> Issuer:
    return ca("Limbo Kinds Root", WINDOW)


def check(
    leaf_cert: x509.Certificate, chain: list[x509.Certificate], anchor: Issuer
) -> ChainResult:
    return verify_chain(leaf_cert, chain, [anchor.cert], NOW)


def bounded(
    leaf_cert: x509.Certificate, chain: list[x509.Certificate], anchors: list[x509.Certificate]
) -> tuple[str, str]:
    def judge() -> tuple[str, str]:
        result = verify_chain(leaf_cert, chain, anchors, NOW)
        return str(result.verdict), result.reason

    return judged_within(BOUND_SECONDS, judge)


def under(parent: Issuer, depth: int, **spec: object) -> list[Issuer]:
    """``depth`` CAs in a line below ``parent``, the top one first."""
    cas: list[Issuer] = []
    for level in range(depth):
        parent = ca(f"Level {level} CA", WINDOW, issuer=parent, spec=CaSpec(**spec))  # type: ignore[arg-type]
        cas.append(parent)
    return cas


def certs(cas: list[Issuer]) -> list[x509.Certificate]:
    return [c.cert for c in cas]


# pathlen::*


def test_intermediate_violating_pathlen_zero_is_invalid(root: Issuer) -> None:
    top = ca("Policy CA", WINDOW, issuer=root, spec=CaSpec(pathlen=0))
    issuing = ca("Issuing CA", WINDOW, issuer=top)
    result = check(leaf(issuing, WINDOW), [issuing.cert, top.cert], root)
    assert result.verdict == Verdict.INVALID


def test_pathlen_leaving_room_is_trusted(root: Issuer) -> None:
    top = ca("Policy CA", WINDOW, issuer=root, spec=CaSpec(pathlen=1))
    issuing = ca("Issuing CA", WINDOW, issuer=top, spec=CaSpec(pathlen=0))
    result = check(leaf(issuing, WINDOW), [issuing.cert, top.cert], root)
    assert (result.verdict, result.chain) == (Verdict.TRUSTED, [issuing.cert, top.cert, root.cert])


def test_depth_limit_allows_the_maximum_and_refuses_one_more(root: Issuer) -> None:
    deepest = under(root, MAX_INTERMEDIATES)
    assert check(leaf(deepest[-1], WINDOW), certs(deepest), root).verdict == Verdict.TRUSTED
    too_deep = under(root, MAX_INTERMEDIATES + 1)
    result = check(leaf(too_deep[-1], WINDOW), certs(too_deep), root)
    assert result.verdict == Verdict.INVALID
    assert "max depth" in result.reason


# pathological::* and cve::cve-2024-0567, each under a time bound


@pytest.mark.parametrize("count", [4, 19])
def test_cas_sharing_name_and_key_finish_and_are_not_trusted(root: Issuer, count: int) -> None:
    leaf_cert, chain = unrooted_chain(count, WINDOW, same_subject=True, same_key=True)
    verdict, reason = bounded(leaf_cert, chain, [root.cert])
    assert verdict == Verdict.UNTRUSTED_ROOT
    assert "'CN=Pathological CA', which is not a configured trust anchor" in reason


@pytest.mark.parametrize(("same_subject", "same_key"), [(True, False), (False, True)])
def test_long_unrooted_chains_finish_and_are_not_trusted(
    root: Issuer, same_subject: bool, same_key: bool
) -> None:
    leaf_cert, chain = unrooted_chain(19, WINDOW, same_subject=same_subject, same_key=same_key)
    verdict, _ = bounded(leaf_cert, chain, [root.cert])
    assert verdict in (Verdict.INVALID, Verdict.UNTRUSTED_ROOT)


def test_mesh_of_cross_signed_cas_finishes_and_is_invalid(root: Issuer) -> None:
    """Five CAs each cross-signed by the four others (19 certificates, the upload cap): every
    step has four candidate issuers and none leads to the anchor."""
    keys = [new_key() for _ in range(5)]
    selves = [ca(f"Mesh {i}", WINDOW, key=keys[i]) for i in range(5)]
    mesh = [
        ca(f"Mesh {i}", WINDOW, issuer=selves[j], key=keys[i]).cert
        for i in range(5)
        for j in range(5)
        if i != j
    ][:19]
    verdict, reason = bounded(leaf(selves[0], WINDOW), mesh, [root.cert])
    assert verdict == Verdict.INVALID, reason


def test_two_cas_signing_each_other_are_invalid(root: Issuer) -> None:
    key_a, key_b = new_key(), new_key()
    a_by_b = ca("CA A", WINDOW, issuer=Issuer(ca("CA B", WINDOW, key=key_b).cert, key_b), key=key_a)
    b_by_a = ca("CA B", WINDOW, issuer=a_by_b, key=key_b)
    verdict, _ = bounded(leaf(a_by_b, WINDOW), [a_by_b.cert, b_by_a.cert], [root.cert])
    assert verdict == Verdict.INVALID


def test_cross_signed_cycle_resolves_to_the_anchor() -> None:
    """cve-2024-0567's graph: leaf -> A1 -> A, with A, B and C cross-signing each other and A
    also a self-signed anchor."""
    keys = {n: new_key() for n in "ABC"}
    selves = {n: ca(f"Root {n}", WINDOW, key=keys[n]) for n in "ABC"}
    cross = [
        ca(f"Root {n}", WINDOW, issuer=selves[m], key=keys[n]).cert
        for n in "ABC"
        for m in "ABC"
        if n != m
    ]
    a1 = ca("Intermediate A1", WINDOW, issuer=selves["A"])
    verdict, reason = bounded(leaf(a1, WINDOW), [a1.cert, *cross], [selves["A"].cert])
    assert (verdict, reason) == (Verdict.TRUSTED, "Chains to the trust anchor 'CN=Root A'.")


def test_expired_copy_of_the_issuing_ca_is_passed_over(root: Issuer) -> None:
    """pathological::multiple-chains-expired-intermediate: the same CA (name, issuer, key) once
    expired and once renewed; the renewed one makes the path."""
    key = new_key()
    expired = ca("Issuing CA", Window(NOW - 900 * DAY, NOW - DAY), issuer=root, key=key)
    renewed = ca("Issuing CA", WINDOW, issuer=root, key=key)
    for order in ([expired.cert, renewed.cert], [renewed.cert, expired.cert]):
        result = check(leaf(renewed, WINDOW), order, root)
        assert (result.verdict, result.chain) == (Verdict.TRUSTED, [renewed.cert, root.cert])


def test_more_certificates_than_an_upload_holds_are_not_checked(root: Issuer) -> None:
    leaf_cert, chain = unrooted_chain(100, WINDOW, same_subject=True, same_key=True)
    verdict, reason = bounded(leaf_cert, chain, [root.cert])
    assert verdict == Verdict.INVALID
    assert reason.startswith("The chain holds 100 certificates besides the certificate itself")


# rfc5280::validity::*


def test_expired_intermediate_is_invalid(root: Issuer) -> None:
    issuing = ca("Issuing CA", Window(NOW - 900 * DAY, NOW - DAY), issuer=root)
    result = check(leaf(issuing, WINDOW), [issuing.cert], root)
    assert result.verdict == Verdict.INVALID
    assert "'CN=Issuing CA' expired on" in result.reason


def test_expired_anchor_is_invalid() -> None:
    old_root = ca("Old Root", Window(NOW - 900 * DAY, NOW - DAY))
    issuing = ca("Issuing CA", WINDOW, issuer=old_root)
    assert check(leaf(issuing, WINDOW), [issuing.cert], old_root).verdict == Verdict.INVALID


@pytest.mark.parametrize(
    ("seconds", "verdict"), [(0, Verdict.TRUSTED), (1, Verdict.INVALID), (5, Verdict.INVALID)]
)
def test_not_after_is_inclusive_to_the_second(root: Issuer, seconds: int, verdict: str) -> None:
    leaf_cert = leaf(root, Window(NOW - DAY, NOW))
    moment = NOW + seconds * DAY / 86400
    assert verify_chain(leaf_cert, [], [root.cert], moment).verdict == verdict


def test_not_yet_valid_leaf_is_invalid(root: Issuer) -> None:
    leaf_cert = leaf(root, Window(NOW + DAY / 86400, NOW + DAY))
    result = check(leaf_cert, [], root)
    assert result.verdict == Verdict.INVALID
    assert "is not valid until" in result.reason


# rfc5280::aki::* and rfc5280::ski::*


def test_intermediate_without_aki_is_invalid(root: Issuer) -> None:
    issuing = ca("Issuing CA", WINDOW, issuer=root, spec=CaSpec(aki=False))
    result = check(leaf(issuing, WINDOW), [issuing.cert], root)
    assert result.verdict == Verdict.INVALID
    assert "'CN=Issuing CA' has no Authority Key Identifier" in result.reason


def test_aki_with_issuer_and_serial_beside_the_key_identifier_is_trusted(root: Issuer) -> None:
    """RFC 5280 allows it, and Windows certificate services wrote it by default for years."""
    key_id = x509.SubjectKeyIdentifier.from_public_key(root.key.public_key()).digest
    aki = x509.AuthorityKeyIdentifier(
        key_id, [x509.DirectoryName(root.cert.subject)], root.cert.serial_number
    )
    issuing = ca("Issuing CA", WINDOW, issuer=root, spec=CaSpec(aki=False, extra=[(aki, False)]))
    assert check(leaf(issuing, WINDOW), [issuing.cert], root).verdict == Verdict.TRUSTED


def test_aki_naming_the_issuer_only_by_name_and_serial_is_invalid(root: Issuer) -> None:
    aki = x509.AuthorityKeyIdentifier(
        None, [x509.DirectoryName(root.cert.subject)], root.cert.serial_number
    )
    issuing = ca("Issuing CA", WINDOW, issuer=root, spec=CaSpec(aki=False, extra=[(aki, False)]))
    result = check(leaf(issuing, WINDOW), [issuing.cert], root)
    assert result.verdict == Verdict.INVALID
    assert "'CN=Issuing CA' holds no key identifier" in result.reason


def test_anchor_whose_aki_names_issuer_and_serial_is_trusted() -> None:
    """Old roots (Go Daddy Class 2, Starfield Class 2) carry such an AKI; an anchor is taken
    as it was configured."""
    key = new_key()
    subject = name("Old Style Root")
    aki = x509.AuthorityKeyIdentifier(
        x509.SubjectKeyIdentifier.from_public_key(key.public_key()).digest,
        [x509.DirectoryName(subject)],
        4242,
    )
    old_root = ca(subject, WINDOW, key=key, spec=CaSpec(aki=False, extra=[(aki, False)]))
    assert check(leaf(old_root, WINDOW), [], old_root).verdict == Verdict.TRUSTED


def test_root_rekeyed_under_its_old_name_still_leads_to_the_configured_anchor() -> None:
    """A root renewed with a new key under the same name certifies its sub-CA again: two
    certificates alike but for the issuer's key. The one under the configured (old) root
    must not be set aside for the other."""
    old_root = ca("Corp Root", WINDOW)
    new_root = ca("Corp Root", WINDOW)
    sub_key = new_key()
    under_old = ca("Corp Sub CA", WINDOW, issuer=old_root, key=sub_key)
    longer = Window(WINDOW.not_before, WINDOW.not_after + 365 * DAY)
    under_new = ca("Corp Sub CA", longer, issuer=new_root, key=sub_key)
    result = check(leaf(under_old, WINDOW), [under_new.cert, under_old.cert], old_root)
    assert result.verdict == Verdict.TRUSTED, result.reason


def test_leaf_without_aki_is_invalid(root: Issuer) -> None:
    assert check(leaf(root, WINDOW, aki=False), [], root).verdict == Verdict.INVALID


def test_self_signed_root_without_aki_is_trusted() -> None:
    bare_root = ca("Bare Root", WINDOW, spec=CaSpec(aki=False))
    assert check(leaf(bare_root, WINDOW), [], bare_root).verdict == Verdict.TRUSTED


def test_anchor_that_is_not_self_issued_may_lack_aki() -> None:
    """An admin may trust a cross-signed root or an issuing CA directly; the anchor is taken
    as configured (RFC 5280 6.1), as in limbo's cve-2024-0567."""
    key = new_key()
    issuer = ca("Elsewhere Root", WINDOW)
    anchor = ca("Cross Root", WINDOW, issuer=issuer, key=key, spec=CaSpec(aki=False))
    assert check(leaf(anchor, WINDOW), [], anchor).verdict == Verdict.TRUSTED


def test_ca_below_the_anchor_without_ski_is_invalid(root: Issuer) -> None:
    issuing = ca("Issuing CA", WINDOW, issuer=root, spec=CaSpec(ski=False))
    result = check(leaf(issuing, WINDOW), [issuing.cert], root)
    assert result.verdict == Verdict.INVALID
    assert "'CN=Issuing CA' has no Subject Key Identifier" in result.reason


def test_anchor_without_ski_is_trusted() -> None:
    """Older roots lack one; RFC 5280 6.1 takes the anchor as configured (limbo's
    root-missing-ski expects a refusal: a deliberate difference)."""
    top = ca("No SKI Root", WINDOW, spec=CaSpec(ski=False))
    issuing = ca("Issuing CA", WINDOW, issuer=top)
    assert check(leaf(issuing, WINDOW), [issuing.cert], top).verdict == Verdict.TRUSTED


# rfc5280::serial::*


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"\x00", "has serial number 0, which is not a positive number"),
        (b"\xff\x05", "serial number cannot be negative"),
        (b"\x01" * 21, "which is not a positive number of at most 20 octets"),
        (b"\x01" * 22, "serial between 1 and 20 octets"),
    ],
    ids=["zero", "negative", "21-octets", "22-octets"],
)
def test_leaf_serial_outside_rfc5280_is_invalid(root: Issuer, content: bytes, said: str) -> None:
    with warnings.catch_warnings():  # cryptography warns when it parses serial 0 or below
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        odd = with_raw_serial(leaf(root, WINDOW, serial=1), root.key, content)
        result = check(odd, [], root)
    assert result.verdict == Verdict.INVALID
    assert said in result.reason


def test_serial_of_twenty_octets_is_trusted(root: Issuer) -> None:
    leaf_cert = with_raw_serial(leaf(root, WINDOW, serial=1), root.key, b"\x7f" + b"\x01" * 19)
    assert check(leaf_cert, [], root).verdict == Verdict.TRUSTED


# cve::cve-2025-61727 and the RFC822 name-constraint CLIENT cases


def constrained(root: Issuer, **subtrees: list[x509.GeneralName]) -> Issuer:
    nc = x509.NameConstraints(subtrees.get("permitted"), subtrees.get("excluded"))
    return ca("Constrained CA", WINDOW, issuer=root, spec=CaSpec(name_constraints=nc))


def test_wildcard_dns_name_under_a_permitted_dns_subtree_is_invalid(root: Issuer) -> None:
    """cve-2025-61727-nc-permits-variant: cryptography alone accepts '*.example.com' under
    'foo.example.com' (it refuses the excluded variant itself)."""
    issuing = constrained(root, permitted=[x509.DNSName("foo.example.com")])
    result = check(leaf(issuing, WINDOW, dns_names=("*.example.com",)), [issuing.cert], root)
    assert result.verdict == Verdict.INVALID
    assert "names '*.example.com' while the CA 'CN=Constrained CA' constrains DNS" in result.reason


def test_wildcard_dns_name_matching_an_excluded_subtree_is_invalid(root: Issuer) -> None:
    issuing = constrained(root, excluded=[x509.DNSName("bar.example.com")])
    result = check(leaf(issuing, WINDOW, dns_names=("*.example.com",)), [issuing.cert], root)
    assert result.verdict == Verdict.INVALID


def test_plain_dns_name_outside_the_excluded_subtree_is_trusted(root: Issuer) -> None:
    issuing = constrained(root, excluded=[x509.DNSName("bar.example.com")])
    result = check(leaf(issuing, WINDOW, dns_names=("foo.example.com",)), [issuing.cert], root)
    assert result.verdict == Verdict.TRUSTED


@pytest.mark.parametrize(
    ("permitted", "email", "verdict"),
    [
        ("example.com", "jane@example.com", Verdict.TRUSTED),
        ("jane@example.com", "jane@example.com", Verdict.TRUSTED),
        ("example.com", "jane@elsewhere.test", Verdict.INVALID),
        ("example.com", "jane@sub.example.com", Verdict.INVALID),
        ("*@example.com", "*@example.com", Verdict.TRUSTED),
        ("*@example.com", "jane@example.com", Verdict.INVALID),
        ("**@example.com", "*@example.com", Verdict.INVALID),
    ],
)
def test_permitted_email_subtree(root: Issuer, permitted: str, email: str, verdict: str) -> None:
    issuing = constrained(root, permitted=[x509.RFC822Name(permitted)])
    assert check(leaf(issuing, WINDOW, emails=(email,)), [issuing.cert], root).verdict == verdict


@pytest.mark.parametrize(
    ("excluded", "verdict"),
    [
        ("jane@example.com", Verdict.INVALID),
        ("example.com", Verdict.INVALID),
        ("other.test", Verdict.TRUSTED),
    ],
)
def test_excluded_email_subtree(root: Issuer, excluded: str, verdict: str) -> None:
    issuing = constrained(root, excluded=[x509.RFC822Name(excluded)])
    assert check(leaf(issuing, WINDOW), [issuing.cert], root).verdict == verdict


def test_email_constraint_on_a_constrained_root_reaches_through_the_intermediate() -> None:
    nc = x509.NameConstraints([x509.RFC822Name("example.com")], None)
    constrained_root = ca("Constrained Root", WINDOW, spec=CaSpec(name_constraints=nc))
    issuing = ca("Issuing CA", WINDOW, issuer=constrained_root)
    outside = leaf(issuing, WINDOW, emails=("jane@elsewhere.test",))
    assert check(outside, [issuing.cert], constrained_root).verdict == Verdict.INVALID
    inside = leaf(issuing, WINDOW)
    assert check(inside, [issuing.cert], constrained_root).verdict == Verdict.TRUSTED
