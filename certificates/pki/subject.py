"""Certificate subject fields: checking, building an x509.Name, and reading one back."""

import string
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from enum import StrEnum

from cryptography import x509
from cryptography.x509.oid import NameOID

from certificates.pki.emails import split_address
from certificates.pki.errors import PkiError, Problem
from certificates.pki.text import describe, first_invisible, visible
from certificates.pki.translation import _

# RFC 4514 gives short names to CN, L, ST, O, OU, C, STREET, DC and UID only; every other
# attribute would print as a bare OID (2.5.4.42=Erin). These are the LDAP names (RFC 4519 and
# X.520) people meet in S/MIME subjects.
_SHORT_NAMES = {
    NameOID.EMAIL_ADDRESS: "emailAddress",
    NameOID.GIVEN_NAME: "givenName",
    NameOID.SURNAME: "surname",
    NameOID.TITLE: "title",
    NameOID.SERIAL_NUMBER: "serialNumber",
    NameOID.PSEUDONYM: "pseudonym",
    NameOID.INITIALS: "initials",
    NameOID.GENERATION_QUALIFIER: "generationQualifier",
    NameOID.POSTAL_CODE: "postalCode",
    NameOID.ORGANIZATION_IDENTIFIER: "organizationIdentifier",
    NameOID.BUSINESS_CATEGORY: "businessCategory",
    NameOID.JURISDICTION_COUNTRY_NAME: "jurisdictionCountryName",
    NameOID.JURISDICTION_STATE_OR_PROVINCE_NAME: "jurisdictionStateOrProvinceName",
    NameOID.JURISDICTION_LOCALITY_NAME: "jurisdictionLocalityName",
    NameOID.DN_QUALIFIER: "dnQualifier",
}


def display_name(name: x509.Name) -> str:
    """An RFC 4514 string a person can read (``CN=Jane,emailAddress=jane@example.com``), with
    control and format characters shown as escapes (``CN=\\u202eevil``): names arrive inside
    certificates, where nobody refused them."""
    return visible(name.rfc4514_string(_SHORT_NAMES))


@dataclass(frozen=True)
class SubjectFields:
    common_name: str = ""
    given_name: str = ""
    surname: str = ""
    organization: str = ""
    organizational_unit: str = ""
    country: str = ""
    state_or_province: str = ""
    locality: str = ""

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}

    @classmethod
    def from_dict(cls, d: Mapping[str, str | None]) -> "SubjectFields":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise PkiError(
                _("Unknown subject field(s) %(unknown)s; use only %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(known))}
            )
        return cls(**{k: (v or "").strip() for k, v in d.items()})


# Field name -> (OID, label for messages, RFC 5280 upper bound). RFC 5280 allows 128 for
# locality and state; given name and surname are ub-name (32768) there, but CAs cap them like
# the other name fields, so 64 keeps a CSR from being refused later.
_FIELDS: dict[str, tuple[x509.ObjectIdentifier, str, int]] = {
    "country": (NameOID.COUNTRY_NAME, "Country", 2),
    "state_or_province": (NameOID.STATE_OR_PROVINCE_NAME, "State or province", 128),
    "locality": (NameOID.LOCALITY_NAME, "Locality", 128),
    "organization": (NameOID.ORGANIZATION_NAME, "Organization", 64),
    "organizational_unit": (NameOID.ORGANIZATIONAL_UNIT_NAME, "Organizational unit", 64),
    "common_name": (NameOID.COMMON_NAME, "Common name", 64),
    "given_name": (NameOID.GIVEN_NAME, "Given name", 64),
    "surname": (NameOID.SURNAME, "Surname", 64),
}
_BY_OID = {oid: name for name, (oid, _label, _ub) in _FIELDS.items()}
UB_EMAIL_ADDRESS = 255
# The other attributes a CSR may carry: OID -> (name in messages and `errors`, label, upper
# bound from RFC 5280 Appendix A, or X.520 for street and postal code).
_OTHER_ATTRIBUTES: dict[x509.ObjectIdentifier, tuple[str, str, int]] = {
    NameOID.EMAIL_ADDRESS: ("emailAddress", "Email address", UB_EMAIL_ADDRESS),
    NameOID.TITLE: ("title", "Title", 64),
    NameOID.SERIAL_NUMBER: ("serialNumber", "Serial number", 64),
    NameOID.PSEUDONYM: ("pseudonym", "Pseudonym", 128),
    NameOID.STREET_ADDRESS: ("street", "Street", 128),
    NameOID.POSTAL_CODE: ("postalCode", "Postal code", 40),
    NameOID.INITIALS: ("initials", "Initials", 64),
    NameOID.GENERATION_QUALIFIER: ("generationQualifier", "Generation qualifier", 64),
    NameOID.DOMAIN_COMPONENT: ("DC", "Domain component", 63),
}
UB_OTHER = 128  # any attribute not listed: RFC 5280's ub-match
MAX_NAME_ATTRIBUTES = 50

# S/MIME BR 7.1.4.2: subject attributes must not contain metadata such as '.', '-', ' ' that
# only says a value is absent. Compared case-insensitively, also with spaces removed.
PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "n/a",
        "na",
        "n.a.",
        "n.a",
        "n-a",
        "n\\a",
        "none",
        "nil",
        "null",
        "void",
        "empty",
        "blank",
        "-",
        "--",
        ".",
        "..",
        "...",
        "?",
        "??",
        "*",
        "_",
        "x",
        "xx",
        "xxx",
        "notapplicable",
        "not applicable",
        "unknown",
        "notavailable",
        "not available",
        "tbd",
        "nothing",
        "nvt",
        "n.v.t.",
        "sans objet",
        "s/o",
        "k.a.",
    }
)


def _is_placeholder(value: str) -> bool:
    folded = value.strip().casefold()
    if folded in PLACEHOLDERS or folded.replace(" ", "") in PLACEHOLDERS:
        return True
    # Anything made only of punctuation ("-/-", "***") carries no information either.
    return bool(folded) and all(ch in string.punctuation or ch.isspace() for ch in folded)


def _describe(oid: x509.ObjectIdentifier) -> tuple[str, str, int]:
    """(field name, label, upper bound) of any attribute type."""
    if oid in _BY_OID:
        name = _BY_OID[oid]
        _oid, label, upper_bound = _FIELDS[name]
        return name, label, upper_bound
    if oid in _OTHER_ATTRIBUTES:
        return _OTHER_ATTRIBUTES[oid]
    return oid.dotted_string, f"The attribute {oid.dotted_string}", UB_OTHER


def _value_problem(oid: x509.ObjectIdentifier, value: str) -> Problem | None:
    """What is wrong with one attribute value, if anything: one sentence per value."""
    name, label, upper_bound = _describe(oid)
    field = f"subject.{name}"
    invisible = first_invisible(value)
    if invisible is not None:
        return Problem(
            field,
            _(
                "%(label)s '%(value)s' contains %(character)s, a control or invisible "
                "formatting character; retype it without pasted formatting."
            )
            % {
                "label": label,
                "value": visible(value.strip())[:80],
                "character": describe(invisible),
            },
        )
    # Country is exempt: NA (Namibia) is a real code; it must be two letters anyway.
    if oid == NameOID.COUNTRY_NAME:
        code = value.strip()
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            return Problem(
                field,
                _("Country '%(code)s' must be a two-letter ISO 3166 code such as NL or DE.")
                % {"code": code[:80]},
            )
        return None
    if _is_placeholder(value):
        return Problem(
            field,
            _(
                "%(label)s '%(value)s' is a placeholder, which S/MIME certificates may not "
                "contain (S/MIME BR 7.1.4.2); leave the field empty instead."
            )
            % {"label": label, "value": value.strip()},
        )
    if len(value.strip()) > upper_bound:
        return Problem(
            field,
            _(
                "%(label)s is %(length)s characters; the limit is %(limit)s "
                "(RFC 5280), so shorten or abbreviate it."
            )
            % {"label": label, "length": len(value.strip()), "limit": upper_bound},
        )
    return None


def _problems(attributes: list[tuple[x509.ObjectIdentifier, str]]) -> list[Problem]:
    found = (_value_problem(oid, value) for oid, value in attributes)
    return [problem for problem in found if problem is not None]


def name_problems(name: x509.Name) -> list[Problem]:
    """Every problem of every value of every attribute in a subject (not only the first value
    of the fields the form knows: a second O=N/A or a title=- count as much)."""
    attributes = list(name)
    if len(attributes) > MAX_NAME_ATTRIBUTES:
        return [
            Problem(
                "subject",
                _(
                    "The subject has %(count)s attributes; at most %(limit)s "
                    "are accepted, so make a CSR with your address and name only."
                )
                % {"count": len(attributes), "limit": MAX_NAME_ATTRIBUTES},
            )
        ]
    return _problems([(a.oid, a.value) for a in attributes if isinstance(a.value, str)])


# What openssl req answers when a person presses Enter at its questions (openssl.cnf's
# examples). Valid values, so not refused; but a CA refuses them or prints them in the
# certificate, and AU is a real country, so they draw a warning.
OPENSSL_EXAMPLES: dict[x509.ObjectIdentifier, str] = {
    NameOID.COUNTRY_NAME: "AU",
    NameOID.STATE_OR_PROVINCE_NAME: "Some-State",
    NameOID.ORGANIZATION_NAME: "Internet Widgits Pty Ltd",
}


def subject_warnings(name: x509.Name) -> list[str]:
    """What a CA may object to in a subject that is not wrong enough to refuse."""
    warnings = []
    if not name.get_attributes_for_oid(NameOID.COMMON_NAME):
        warnings.append(
            _("The subject has no common name (CN); CAs usually set it to your name or address.")
        )
    examples = [
        (oid, str(a.value))
        for a in name
        for oid, example in OPENSSL_EXAMPLES.items()
        if a.oid == oid and str(a.value).strip().casefold() == example.casefold()
    ]
    if examples:
        listed = ", ".join(f"{_describe(oid)[1]} '{value}'" for oid, value in examples)
        australia = any(oid == NameOID.COUNTRY_NAME for oid, _value in examples)
        warning = _(
            "The subject holds openssl's example answers (%(listed)s), which openssl fills in "
            "when Enter is pressed at its questions; a CA refuses them or prints them in your "
            "certificate. Make a new CSR with your own values or without those fields (with "
            "-subj, as in the command on the request form, openssl asks nothing)."
        ) % {"listed": listed}
        if australia:
            warning += " " + _("Keep AU only if you are in Australia.")
        warnings.append(warning)
    return warnings


def check_subject(subject: SubjectFields) -> None:
    """Raise PkiError naming every typed value a CA would refuse or that breaks the name."""
    typed = [(oid, getattr(subject, name)) for name, (oid, _l, _ub) in _FIELDS.items()]
    problems = _problems([(oid, value) for oid, value in typed if value])
    if problems:
        raise PkiError.of(problems)


def _names_a_person(subject: SubjectFields) -> bool:
    return bool(subject.given_name or subject.surname) or (
        bool(subject.common_name) and "@" not in subject.common_name
    )


def validation_profile(subject: SubjectFields) -> "ValidationProfile":
    """The S/MIME BR validation type these fields amount to (for UI text, not enforcement)."""
    person = _names_a_person(subject)
    if subject.organization:
        return ValidationProfile.SPONSOR if person else ValidationProfile.ORGANIZATION
    return ValidationProfile.INDIVIDUAL if person else ValidationProfile.MAILBOX


def build_name(subject: SubjectFields, email: str) -> x509.Name:
    check_subject(subject)
    split_address(email)
    address = email.strip()
    if not address.isascii():
        raise PkiError(
            _(
                "'%(address)s' contains non-ASCII characters, which certificates here cannot "
                "carry yet; use an ASCII address."
            )
            % {"address": address}
        )
    if len(address) > UB_EMAIL_ADDRESS:
        raise PkiError(
            _(
                "The address is %(length)s characters; the limit is %(limit)s, so use "
                "a shorter address."
            )
            % {"length": len(address), "limit": UB_EMAIL_ADDRESS}
        )
    values = {name: getattr(subject, name).strip() for name in _FIELDS}
    values["country"] = values["country"].upper()
    if not values["common_name"] and len(address) <= 64:
        # Mailbox-validated profile: CN is the address (it is optional when it would not fit).
        values["common_name"] = address
    attributes = [
        x509.NameAttribute(oid, values[name])
        for name, (oid, _label, _ub) in _FIELDS.items()
        if values[name]
    ]
    attributes.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, address))
    return x509.Name(attributes)


def name_to_fields(name: x509.Name) -> tuple[SubjectFields, list[str]]:
    """Fields (first value of each kind) and every emailAddress value in a Name."""
    found: dict[str, str] = {}
    emails: list[str] = []
    for attribute in name:
        value = attribute.value
        if not isinstance(value, str):
            continue
        if attribute.oid == NameOID.EMAIL_ADDRESS:
            emails.append(value)
        elif attribute.oid in _BY_OID:
            found.setdefault(_BY_OID[attribute.oid], value)
    return SubjectFields(**found), emails


class ValidationProfile(StrEnum):
    """The S/MIME BR certificate profiles by what the CA validates about the subject."""

    MAILBOX = "mailbox"
    INDIVIDUAL = "individual"
    ORGANIZATION = "organization"
    SPONSOR = "sponsor"


@dataclass(frozen=True)
class ProfileFields:
    """The subject fields a profile's product asks for: ``needed`` must be filled, ``optional``
    may be; any other field does not belong in it."""

    needed: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def asked(self) -> tuple[str, ...]:
        wanted = set(self.needed) | set(self.optional)
        return tuple(name for name in _FIELDS_SHOWN if name in wanted)


# The order forms show the fields in (a person's name first, the place last).
_FIELDS_SHOWN = (
    "common_name",
    "given_name",
    "surname",
    "organization",
    "organizational_unit",
    "country",
    "state_or_province",
    "locality",
)
_PLACE = ("country", "state_or_province", "locality")
PROFILE_FIELDS: dict[ValidationProfile, ProfileFields] = {
    # Only the address: the portal puts it in the common name itself.
    ValidationProfile.MAILBOX: ProfileFields(needed=(), optional=()),
    ValidationProfile.INDIVIDUAL: ProfileFields(
        needed=("given_name", "surname"), optional=("common_name", *_PLACE)
    ),
    ValidationProfile.ORGANIZATION: ProfileFields(
        needed=("organization",), optional=("organizational_unit", *_PLACE)
    ),
    ValidationProfile.SPONSOR: ProfileFields(
        needed=("given_name", "surname", "organization"),
        optional=("common_name", "organizational_unit", *_PLACE),
    ),
}


def field_label(name: str) -> str:
    return _FIELDS[name][1]


def check_profile(subject: SubjectFields, profile: ValidationProfile) -> None:
    """Raise PkiError unless ``subject`` fills what ``profile`` needs and nothing it does not
    carry (a CA drops or refuses such fields, or validates the wrong profile)."""
    wanted = PROFILE_FIELDS[profile]
    missing = [field_label(n) for n in wanted.needed if not getattr(subject, n).strip()]
    if missing:
        raise PkiError(
            _("The CA product for this address is %(profile)s-validated: fill in %(missing)s.")
            % {"profile": profile, "missing": " and ".join(missing).lower()}
        )
    extra = [field_label(n) for n in _FIELDS_SHOWN if n not in wanted.asked and _filled(subject, n)]
    if extra:
        if len(extra) > 1:
            message = _(
                "The CA product for this address is %(profile)s-validated, which does not "
                "carry %(extra)s; leave them empty."
            )
        else:
            message = _(
                "The CA product for this address is %(profile)s-validated, which does not "
                "carry %(extra)s; leave it empty."
            )
        raise PkiError(message % {"profile": profile, "extra": " or ".join(extra).lower()})


def _filled(subject: SubjectFields, name: str) -> bool:
    """Whether a field carries something; a common name that is the address is what the
    mailbox profile puts there itself, so it counts as empty."""
    value = getattr(subject, name).strip()
    return bool(value) and not (name == "common_name" and "@" in value)


def fit_profile(subject: SubjectFields, profile: ValidationProfile) -> SubjectFields:
    """``subject`` without the fields ``profile`` does not carry (a renewal's old subject
    when the CA's product changed)."""
    asked = PROFILE_FIELDS[profile].asked
    return SubjectFields(**{n: v for n, v in subject.as_dict().items() if n in asked})


def common_name_of(display: str) -> str:
    """The common name in a name written by ``display_name`` (an issuer, for a chart label),
    or the whole text when it has none or does not parse."""
    try:
        name = x509.Name.from_rfc4514_string(display, {"emailAddress": NameOID.EMAIL_ADDRESS})
    except ValueError:
        return display
    found = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    value = found[0].value if found else display
    return value if isinstance(value, str) else display
