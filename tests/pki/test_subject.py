import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from certificates.pki.errors import PkiError
from certificates.pki.subject import (
    SubjectFields,
    build_name,
    check_subject,
    display_name,
    name_to_fields,
    validation_profile,
)


def test_as_dict_keeps_only_filled_fields() -> None:
    fields = SubjectFields(common_name="Jane Doe", country="NL")
    assert fields.as_dict() == {"common_name": "Jane Doe", "country": "NL"}


def test_from_dict_strips_and_treats_none_as_empty() -> None:
    fields = SubjectFields.from_dict({"common_name": " Jane ", "organization": None})
    assert fields == SubjectFields(common_name="Jane")


def test_from_dict_refuses_unknown_keys() -> None:
    with pytest.raises(PkiError, match="Unknown subject field\\(s\\) email, title"):
        SubjectFields.from_dict({"title": "Dr", "email": "x@example.com"})


@pytest.mark.parametrize(
    "value",
    [
        "N/A",
        "na",
        "n.a.",
        "None",
        "-",
        ".",
        "NULL",
        "Not Applicable",
        "unknown",
        "?",
        "---",
        " n / a ",
    ],
)
def test_placeholders_are_refused_with_the_rule_and_the_fix(value: str) -> None:
    with pytest.raises(PkiError) as caught:
        check_subject(SubjectFields(organizational_unit=value))
    assert "S/MIME BR 7.1.4.2" in caught.value.message
    assert "leave the field empty instead" in caught.value.message
    assert caught.value.message.startswith("Organizational unit")


def test_country_na_is_namibia_not_a_placeholder() -> None:
    check_subject(SubjectFields(country="NA"))


@pytest.mark.parametrize("country", ["NLD", "N", "1A", "Ü1"])
def test_country_must_be_two_letters(country: str) -> None:
    with pytest.raises(PkiError, match="two-letter"):
        check_subject(SubjectFields(country=country))


def test_upper_bounds_follow_rfc_5280() -> None:
    check_subject(SubjectFields(common_name="x" * 64, locality="y" * 128))
    with pytest.raises(PkiError, match="Common name is 65 characters; the limit is 64"):
        check_subject(SubjectFields(common_name="x" * 65))
    with pytest.raises(PkiError, match="Locality is 129 characters; the limit is 128"):
        check_subject(SubjectFields(locality="y" * 129))


@pytest.mark.parametrize(
    "value", ["Acme\x00Corp", "Acme\nCorp", "Acme\u200bCorp", "Acme\u2028Corp", "\u202eAcme"]
)
def test_control_characters_are_refused(value: str) -> None:
    with pytest.raises(PkiError, match="control or invisible"):
        check_subject(SubjectFields(organization=value))


@pytest.mark.parametrize(
    "fields,profile",
    [
        (SubjectFields(), "mailbox"),
        (SubjectFields(common_name="jane@example.com"), "mailbox"),
        (SubjectFields(common_name="Jane Doe"), "individual"),
        (SubjectFields(given_name="Jane", surname="Doe", country="NL"), "individual"),
        (SubjectFields(organization="Acme"), "organization"),
        (SubjectFields(common_name="jane@example.com", organization="Acme"), "organization"),
        (SubjectFields(organization="Acme", surname="Doe"), "sponsor"),
    ],
)
def test_validation_profile(fields: SubjectFields, profile: str) -> None:
    assert validation_profile(fields) == profile


def test_build_name_defaults_cn_to_address_and_adds_email_address() -> None:
    name = build_name(SubjectFields(country="nl"), "Jane@Example.com")
    assert display_name(name) == "emailAddress=Jane@Example.com,CN=Jane@Example.com,C=NL"


def test_build_name_round_trips_every_field() -> None:
    fields = SubjectFields(
        common_name="Jane Doe",
        given_name="Jane",
        surname="Doe",
        organization="Acme",
        organizational_unit="Sales",
        country="DE",
        state_or_province="Berlin",
        locality="Berlin-Mitte",
    )
    read_back, emails = name_to_fields(build_name(fields, "jane@example.com"))
    assert read_back == fields
    assert emails == ["jane@example.com"]


def test_build_name_leaves_cn_out_when_the_address_is_too_long_for_it() -> None:
    address = "a" * 60 + "@example.com"
    name = build_name(SubjectFields(), address)
    assert name.get_attributes_for_oid(NameOID.COMMON_NAME) == []


def test_build_name_refuses_bad_input() -> None:
    with pytest.raises(PkiError):
        build_name(SubjectFields(), "not an address")
    with pytest.raises(PkiError, match="non-ASCII"):
        build_name(SubjectFields(), "jörg@example.com")
    with pytest.raises(PkiError, match="placeholder"):
        build_name(SubjectFields(organization="N/A"), "jane@example.com")


def test_name_to_fields_collects_every_email_and_ignores_unknown_attributes() -> None:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "1234"),
            x509.NameAttribute(NameOID.COMMON_NAME, "First CN"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Second CN"),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, "a@example.com"),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, "b@example.com"),
        ]
    )
    fields, emails = name_to_fields(name)
    assert fields == SubjectFields(common_name="First CN")
    assert emails == ["a@example.com", "b@example.com"]


def test_typed_fields_report_every_problem_at_once() -> None:
    with pytest.raises(PkiError) as caught:
        check_subject(SubjectFields(organization="N/A", country="NLD", common_name="x" * 65))
    assert [p.field for p in caught.value.problems] == [
        "subject.country",
        "subject.organization",
        "subject.common_name",
    ]
    assert caught.value.message.startswith("3 problems: Country 'NLD' must be a two-letter")


def test_display_name_escapes_control_and_format_characters() -> None:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Alice\u202egnp.exe"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Line\nbreak\x00"),
        ]
    )
    assert display_name(name) == "O=Line\\nbreak\\00,CN=Alice\\u202egnp.exe"


def test_display_name_uses_readable_names_instead_of_bare_oids() -> None:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.GIVEN_NAME, "Erin"),
            x509.NameAttribute(NameOID.SURNAME, "Example"),
            x509.NameAttribute(NameOID.TITLE, "Engineer"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "1234"),
            x509.NameAttribute(NameOID.PSEUDONYM, "ee"),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, "VATNL-123"),
        ]
    )
    shown = display_name(name)
    assert shown == (
        "organizationIdentifier=VATNL-123,pseudonym=ee,serialNumber=1234,title=Engineer,"
        "surname=Example,givenName=Erin"
    )
    assert "2.5.4." not in shown
