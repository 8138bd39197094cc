import pytest

from certificates.pki.emails import (
    addresses_match,
    ascii_lower,
    local_parts_differ_in_case,
    normalise_address,
    normalise_domain,
    split_address,
)
from certificates.pki.errors import PkiError


def test_split_address_returns_parts_as_written() -> None:
    assert split_address("  Jane.Doe@Example.COM ") == ("Jane.Doe", "Example.COM")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "jane",
        "jane@",
        "@example.com",
        "a@b@c",
        "jane doe@example.com",
        "jane@exa\tmple.com",
        "a,b@example.com c@example.com",
        "jane\u202e@example.com",
        "jane@example.com\u200b",
    ],
)
def test_split_address_refuses_implausible_addresses(value: str) -> None:
    with pytest.raises(PkiError):
        split_address(value)


def test_addresses_match_ignores_case_and_surrounding_space() -> None:
    assert addresses_match("JANE@Example.com", " jane@example.COM")
    assert not addresses_match("jane@example.com", "john@example.com")
    assert not addresses_match("jane@example.com", "jane@example.org")


def test_unicode_case_folding_never_makes_two_people_one() -> None:
    """The issue's probe: the account weiß@example.com got a key for weiss@example.com."""
    assert not addresses_match("weiß@example.com", "weiss@example.com")
    assert not addresses_match("WEIß@example.com", "weiss@example.com")
    assert addresses_match("WEIß@example.com", "weiß@EXAMPLE.com")  # ASCII letters still fold
    assert not addresses_match("émile@example.com", "Émile@example.com")  # non-ASCII never


def test_domains_compare_after_idna_normalisation() -> None:
    assert normalise_domain("Bücher.Example") == "xn--bcher-kva.example"
    assert addresses_match("jane@Bücher.example", "JANE@xn--bcher-kva.EXAMPLE")
    # IDNA 2008 keeps ß: faß.de and fass.de are different domains.
    assert not addresses_match("jane@faß.de", "jane@fass.de")
    with pytest.raises(PkiError, match="not a valid internationalised domain name"):
        normalise_domain("snow☃.example")


def test_the_domain_is_lower_cased_and_the_local_part_kept() -> None:
    assert normalise_address(" ERIN.SMITH@Example.com ") == "ERIN.SMITH@example.com"


def test_a_local_part_typed_with_other_capitals_is_noticed() -> None:
    assert local_parts_differ_in_case("ERIN.SMITH@Example.com", "erin.smith@example.com")
    assert not local_parts_differ_in_case("erin.smith@Example.com", "erin.smith@example.com")
    assert not local_parts_differ_in_case("erin@example.com", "ERIK@example.com")


def test_ascii_lower_folds_ascii_letters_only() -> None:
    assert ascii_lower("Alice.EXAMPLE") == "alice.example"
    # str.lower() would make "İ" two characters (i + combining dot) and "Ä" an "ä".
    assert ascii_lower("İlker.ÄRGER") == "İlker.Ärger"
    assert "İlker".lower() != "İlker"
