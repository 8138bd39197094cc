"""The new-request form and its words: where the key is made, the address, and the subject
explained without the standards' jargon (the precise terms stay beside it, small). Like
certificates.forms, it checks shape only; services.drafts judges."""

from __future__ import annotations

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from certificates.forms import (
    CSR_FILE_TYPES,
    KEY_TYPE_CHOICES,
    KEY_TYPE_HELP,
    BrowserKeyFields,
    OnBehalfForm,
    needed,
    pem_textarea,
)
from certificates.models import CertificateAuthority
from certificates.models.keys import KeySource
from certificates.pki import keys
from certificates.pki.subject import PROFILE_FIELDS, ValidationProfile

# (value, label, one honest sentence) for each place the key can be made.
KEY_SOURCES = [
    (
        KeySource.SERVER.value,
        _("Let the portal generate my key"),
        _(
            "Simplest: the portal makes the key, keeps it encrypted, and gives it to you with "
            "the certificate as a password-protected file."
        ),
    ),
    (
        KeySource.BROWSER.value,
        _("Generate the key in this browser"),
        _(
            "The key never leaves your computer: your browser makes it at the last step and "
            "keeps it encrypted with a passphrase you choose, and you download a backup. Needs "
            "JavaScript."
        ),
    ),
    (
        KeySource.UPLOAD.value,
        _("Upload a CSR I made with openssl"),
        _(
            "You made the key yourself, for example with the openssl command shown below, and "
            "keep it; the portal only sees the certificate signing request (CSR)."
        ),
    ),
]

KEY_SOURCE_LABELS = {value: label for value, label, _sentence in KEY_SOURCES}

# What each S/MIME profile (CA/Browser Forum S/MIME Baseline Requirements) means for a person:
# (what the certificate shows, what the CA checks, how to get it when no CA product decides).
PROFILES: dict[ValidationProfile, tuple[Promise, Promise, Promise]] = {
    ValidationProfile.MAILBOX: (
        _("Only your address"),
        _("The CA checks only that you receive mail at the address."),
        _("Leave every field empty."),
    ),
    ValidationProfile.INDIVIDUAL: (
        _("Your name and address"),
        _("The CA also checks who you are, for example from an ID document."),
        _("Fill in your given name and surname."),
    ),
    ValidationProfile.ORGANIZATION: (
        _("Your organisation and address"),
        _("The CA checks the organisation, not you personally."),
        _("Fill in the organisation and no personal name."),
    ),
    ValidationProfile.SPONSOR: (
        _("Your name, your organisation and address"),
        _("The CA checks the organisation, which vouches for you."),
        _("Fill in your name and the organisation."),
    ),
}

# (field name, label, help text) in the order the form shows them.
SUBJECT_FIELDS: list[tuple[str, StrOrPromise, StrOrPromise]] = [
    (
        "common_name",
        _("Common name"),
        _(
            "Your name as recipients should see it, e.g. Alice Example. Left empty, the portal "
            "puts your address here."
        ),
    ),
    ("given_name", _("Given name"), _("With your surname, the certificate shows who you are.")),
    ("surname", _("Surname"), ""),
    (
        "organization",
        _("Organization"),
        _("Only when the certificate should name your organisation; the CA checks it."),
    ),
    ("organizational_unit", _("Organizational unit"), _("Department.")),
    ("country", _("Country"), _("Two letters, e.g. NL or DE.")),
    ("state_or_province", _("State or province"), ""),
    ("locality", _("Locality"), _("City.")),
]
PLACEHOLDER_HELP = _(
    "When a field does not apply, leave it empty: never type N/A, '-' or the like. Such "
    "placeholders are forbidden in S/MIME certificates and refused."
)
# The error summary's names of fields whose label only makes sense beside the field before it
# ("or choose the CSR file" under "Paste the CSR").
SUMMARY_LABELS = {"csr_file": _("CSR file")}
# What the review step carries in hidden fields besides the form's own: never a file (the
# CSR travels as its PEM text) nor what the page's script fills in at the last step.
NOT_CARRIED = ("csr_file", "browser_csr_pem", "encrypted_key", "review_token")


class RequestForm(OnBehalfForm, BrowserKeyFields):
    paste_field = "csr_pem"
    file_field = "csr_file"

    key_source = forms.ChoiceField(
        label=_("Where your key is made"),
        choices=list(KEY_SOURCE_LABELS.items()),
        initial=KeySource.SERVER,
        widget=forms.RadioSelect,
    )
    key_type = forms.ChoiceField(
        label=_("Key type"),
        choices=KEY_TYPE_CHOICES,
        initial=keys.DEFAULT_KEY_TYPE,
        help_text=KEY_TYPE_HELP,
    )
    csr_pem = needed(
        forms.CharField(
            label=_("Paste the CSR"),
            required=False,
            widget=pem_textarea(8),
            help_text=_("PEM text from -----BEGIN CERTIFICATE REQUEST----- to the END line."),
        )
    )
    csr_file = needed(
        forms.FileField(
            label=_("or choose the CSR file"),
            required=False,
            widget=forms.ClearableFileInput(attrs={"accept": CSR_FILE_TYPES}),
            help_text=_("A .csr file in PEM or DER."),
        )
    )
    email = forms.CharField(label=_("Email address"), max_length=254)
    owner = forms.CharField(
        label=_("On behalf of (username)"),
        required=False,
        max_length=150,
        help_text=_("Admins only: the existing user who will own the request. Empty: yourself."),
    )
    # Set to "on" by the page's script: a browser key can only be made where it ran.
    scripts = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2)
    # Names one review, so that sending it twice (a second click, the back button) makes one
    # request.
    review_token = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(
        self,
        *args: object,
        authority: CertificateAuthority | None = None,
        reviewing: bool = False,
        **kwargs: object,
    ) -> None:
        """``authority``: the CA of the address's domain, whose profile's fields alone are asked
        (the needed ones marked so); None asks every field. ``reviewing``: the data is to be
        reviewed, so a browser key need not exist yet (only the script that will make it)."""
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.reviewing = reviewing
        wanted = PROFILE_FIELDS[authority.validation_profile] if authority is not None else None
        for name, label, help_text in SUBJECT_FIELDS:
            if wanted is not None and name not in wanted.asked:
                continue
            field = forms.CharField(
                label=label,
                required=False,
                max_length=200,
                help_text="" if wanted is not None else help_text,
            )
            self.fields[name] = needed(field) if wanted and name in wanted.needed else field

    def browser_ready(self, data: dict[str, object]) -> bool:
        if self.reviewing:
            return data.get("scripts") == "on"
        return super().browser_ready(data)

    def subject(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name, _label, _help in SUBJECT_FIELDS}

    def subject_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _label, _help in SUBJECT_FIELDS if name in self.fields]

    def carried(self, csr_pem: str) -> dict[str, str]:
        """The reviewed values as the review page sends them back: every field of the form
        (the CSR as ``csr_pem``, the text it was read from), none of the last step's."""
        values = {
            name: str(self.cleaned_data.get(name) or "")
            for name in self.fields
            if name not in NOT_CARRIED
        }
        values["csr_pem"] = csr_pem
        return values
