import pytest

from certificates.pki.emails import addresses_match, local_part_filename, split_address
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
    ],
)
def test_split_address_refuses_implausible_addresses(value: str) -> None:
    with pytest.raises(PkiError):
        split_address(value)


def test_addresses_match_ignores_case_and_surrounding_space() -> None:
    assert addresses_match("JANE@Example.com", " jane@example.COM")
    assert not addresses_match("jane@example.com", "john@example.com")
    assert not addresses_match("jane@example.com", "jane@example.org")


def test_local_part_filename_replaces_dots() -> None:
    assert local_part_filename("firstname.lastname") == "firstname_lastname"
    assert local_part_filename("a.b.c") == "a_b_c"
    assert local_part_filename("plain") == "plain"
