"""HTML forms: they collect what a person typed and hand it to the services unjudged.

The services decide what is acceptable and say why not (``ServiceError.detail``); the forms
only check shape (a number is a number, two passwords match), so a refusal reads the same on
the pages, the API and the admin.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from certificates.lazy_text import interpolate_lazy
from certificates.models.tokens import TokenScope
from certificates.pki import keys, pkcs12
from certificates.pki.pkcs12 import Profile
from certificates.services import tokens

KEY_TYPE_CHOICES = [
    (keys.KeyType.RSA_2048.value, _("RSA 2048-bit")),
    (keys.KeyType.RSA_3072.value, _("RSA 3072-bit (recommended)")),
    (keys.KeyType.RSA_4096.value, _("RSA 4096-bit (slower to generate and use)")),
    (
        keys.KeyType.EC_P256.value,
        _("ECDSA P-256 (smaller; some clients cannot decrypt with EC keys)"),
    ),
    (keys.KeyType.EC_P384.value, _("ECDSA P-384 (some clients cannot decrypt with EC keys)")),
]
KEY_TYPE_HELP = _(
    "RSA 3072 is the default because every mail client can both sign and encrypt with RSA. "
    "ECDSA P-256 keys and certificates are smaller, but some clients (older Outlook and Apple "
    "Mail) cannot decrypt mail encrypted to an EC key."
)
# A plain str (tests look for it in pages); translated where it is shown.
NEEDS_JAVASCRIPT = gettext_noop(
    "Generating the key in this browser needs JavaScript, which did not run on this page; "
    "turn it on, or choose another way to make the key."
)
CERTIFICATE_FILE_TYPES = ".pem,.crt,.cer,.der,.p7b,.p7c"
CSR_FILE_TYPES = ".csr,.req,.pem,.der"


def needed(field: forms.Field) -> forms.Field:
    """A field the page does not call optional, although the form lets it through empty: the
    service refuses the empty value with its own sentence, the same on every door."""
    field.needed = True  # type: ignore[attr-defined]  # the portal's own mark, for templates
    return field


def pem_textarea(rows: int) -> forms.Textarea:
    """A text area for pasted PEM: monospaced, and no spell checker marking base64 as typos."""
    return forms.Textarea(attrs={"rows": rows, "spellcheck": "false", "class": "mono"})


def account_password_field(label: StrOrPromise, help_text: StrOrPromise) -> forms.Field:
    """The login password asked again before private keys may leave; the service checks it
    (and says when it is missing), so the form lets it through empty and unstripped."""
    return needed(
        forms.CharField(
            label=label,
            required=False,
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            help_text=help_text,
        )
    )


class PasteOrFileForm(forms.Form):
    """A text area and a file input for the same thing; the file wins when both are given."""

    paste_field = "pem"
    file_field = "file"

    def payload(self) -> bytes:
        upload: UploadedFile[bytes] | None = self.cleaned_data.get(self.file_field)
        if upload is not None:
            return b"".join(upload.chunks())
        return (self.cleaned_data.get(self.paste_field) or "").encode()


class OnBehalfForm(forms.Form):
    """A form whose 'owner' field (a username) only certificate admins get; everyone else acts
    for themselves."""

    def __init__(self, *args: Any, is_admin: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not is_admin:
            del self.fields["owner"]


class BrowserKeyFields(PasteOrFileForm):
    """What the page's script fills in for a key it made in the browser: never the key or its
    passphrase, only the CSR and, if the owner asked for a server copy, the encrypted key.
    ``choice_field`` names the field whose value "browser" picks this way."""

    choice_field = "key_source"

    browser_csr_pem = forms.CharField(required=False, widget=forms.HiddenInput, max_length=65536)
    encrypted_key = forms.CharField(required=False, widget=forms.HiddenInput, max_length=16384)

    def browser_chosen(self) -> bool:
        return bool(self.cleaned_data.get(self.choice_field) == "browser")

    def browser_ready(self, data: dict[str, object]) -> bool:
        """Whether the browser did its part: the CSR it made is here."""
        return bool(data.get("browser_csr_pem"))

    def payload(self) -> bytes:
        if self.browser_chosen():
            return str(self.cleaned_data["browser_csr_pem"]).encode()
        return super().payload()

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if self.browser_chosen() and not self.browser_ready(data):
            self.add_error(self.choice_field, gettext(NEEDS_JAVASCRIPT))
        return data


class SubmitForm(forms.Form):
    """Which CA the CSR went to: one of the CAs admins listed, or any other by name."""

    ca_choice = needed(forms.ChoiceField(label=_("CA"), required=False))
    ca_name = needed(
        forms.CharField(
            label=_("CA name"),
            max_length=200,
            required=False,
            help_text=_("Where you sent the CSR, e.g. Sectigo."),
        )
    )
    order_ref = forms.CharField(
        label=_("Order reference"),
        max_length=200,
        required=False,
        help_text=_("The CA's order or ticket number, if any."),
    )

    def __init__(self, *args: Any, ca_names: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not ca_names:
            del self.fields["ca_choice"]
            return
        self.fields["ca_choice"].choices = [  # type: ignore[attr-defined]  # a ChoiceField
            *((name, name) for name in ca_names),
            ("", _("Another CA (type its name below)")),
        ]
        self.fields["ca_name"].label = _("Another CA's name")
        self.fields["ca_name"].help_text = _("Only for a CA that is not in the list.")
        self.fields["ca_name"].needed = False  # type: ignore[attr-defined]  # see needed()

    def chosen_ca(self) -> str:
        return self.cleaned_data.get("ca_choice") or self.cleaned_data.get("ca_name") or ""


class RejectForm(forms.Form):
    reason = needed(
        forms.CharField(
            label=_("Reason for the rejection"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("The requester reads this."),
        )
    )


class CertificateUploadForm(PasteOrFileForm):
    file = needed(
        forms.FileField(
            label=_("Certificate file"),
            required=False,
            widget=forms.ClearableFileInput(attrs={"accept": CERTIFICATE_FILE_TYPES}),
            help_text=_(
                "The file the CA sent: .pem, .crt, .cer, .der, .p7b or .p7c. "
                "The chain may be in the same file."
            ),
        )
    )
    pem = needed(
        forms.CharField(
            label=_("or paste the certificate (PEM)"),
            required=False,
            widget=pem_textarea(8),
            help_text=_("Leaf and chain in any order; text around the blocks is ignored."),
        )
    )


class ImportForm(OnBehalfForm, CertificateUploadForm):
    owner = forms.CharField(
        label=_("Owner (username)"),
        required=False,
        max_length=150,
        help_text=_("Admins only: whose certificate this is. Empty: yours."),
    )


PROFILE_CHOICES = [
    (
        Profile.LEGACY.value,
        _(
            "Compatible: macOS Keychain and iOS, older Windows, Thunderbird, gpgsm "
            "(3DES and SHA-1 MAC)"
        ),
    ),
    (
        Profile.MODERN.value,
        _(
            "Modern: Windows 10 and later, Thunderbird/NSS, OpenSSL 3; not gpgsm 2.2 or "
            "older Apple systems (AES-256 and SHA-256)"
        ),
    ),
]


# The browser's hint only; the length rule and its sentence are pki.pkcs12's, for every door.
BUNDLE_PASSWORD_ATTRS = {
    "autocomplete": "new-password",
    "minlength": str(pkcs12.MIN_PASSWORD_LENGTH),
    "maxlength": str(pkcs12.MAX_PASSWORD_LENGTH),
}


class Pkcs12Form(forms.Form):
    password = needed(
        forms.CharField(
            label=_("Bundle password"),
            required=False,
            strip=False,
            widget=forms.PasswordInput(attrs=BUNDLE_PASSWORD_ATTRS),
            help_text=interpolate_lazy(
                _(
                    "At least %(minimum)s characters, for example a few words: a copy of the "
                    "file can be attacked offline. You type it again when importing; it is "
                    "not stored."
                ),
                {"minimum": pkcs12.MIN_PASSWORD_LENGTH},
            ),
        )
    )
    confirm = needed(
        forms.CharField(
            label=_("Bundle password again"),
            required=False,
            strip=False,
            widget=forms.PasswordInput(attrs=BUNDLE_PASSWORD_ATTRS),
        )
    )
    profile = forms.ChoiceField(
        label=_("Format"), choices=PROFILE_CHOICES, initial=Profile.LEGACY, widget=forms.RadioSelect
    )
    account_password = account_password_field(
        _("Your account password"),
        _("Exporting a private key needs your login password again."),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") != data.get("confirm"):
            raise forms.ValidationError(
                gettext("The two bundle passwords differ; type them again.")
            )
        return data


RENEW_CHOICES = [
    ("new", _("A new key generated by the portal (recommended)")),
    ("reuse", _("Keep the key the portal holds (a new CSR for the same key)")),
    ("browser", _("A new key generated in this browser")),
    ("upload", _("A new CSR I made myself")),
]


class RenewForm(BrowserKeyFields):
    paste_field = "csr_pem"
    file_field = "csr_file"
    choice_field = "mode"

    mode = forms.ChoiceField(
        label=_("Key for the renewal"),
        choices=RENEW_CHOICES,
        initial="new",
        widget=forms.RadioSelect,
    )
    key_type = forms.ChoiceField(
        label=_("Key type for a new key"),
        required=False,
        choices=[("", _("Same as now (when the portal can generate it)")), *KEY_TYPE_CHOICES],
    )
    csr_pem = forms.CharField(
        label=_("Paste the new CSR"),
        required=False,
        widget=pem_textarea(5),
    )
    csr_file = forms.FileField(
        label=_("or choose the CSR file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": CSR_FILE_TYPES}),
    )

    def __init__(self, *args: Any, offer_reuse: bool = True, **kwargs: Any) -> None:
        """``offer_reuse=False`` (the portal holds no key of the certificate) leaves "Keep the
        key the portal holds" off the page. The field still takes "reuse", so a stale page or
        a hand-made POST gets the renewal service's refusal, which says why."""
        super().__init__(*args, **kwargs)
        if not offer_reuse:
            self.fields["mode"].widget.choices = [c for c in RENEW_CHOICES if c[0] != "reuse"]


# The values are stored as the revocation reason, so they stay English; the labels translate.
REVOKE_REASONS = [
    ("Lost device", _("Lost device")),
    ("Key compromise", _("Key compromise")),
    ("Superseded", _("Superseded (replaced by another certificate)")),
    ("other", _("Other (say what below)")),
]


class RevokeForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=REVOKE_REASONS, initial="Lost device")
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=150,
        help_text=_("Required for 'Other'; optional otherwise."),
    )

    def reason_text(self) -> str:
        reason: str = self.cleaned_data["reason"]
        details: str = self.cleaned_data["details"].strip()
        if reason == "other":
            return details
        return f"{reason}: {details}" if details else reason


class TokenForm(forms.Form):
    name = needed(
        forms.CharField(
            label=_("Name"),
            max_length=100,
            required=False,
            help_text=_("What uses it, e.g. 'renewal script'."),
        )
    )
    export_keys = forms.BooleanField(
        label=interpolate_lazy(
            _("Allow exporting private keys (%(scope)s)"), {"scope": TokenScope.KEYS_EXPORT.value}
        ),
        required=False,
        help_text=_("Only if a script must download your PKCS#12 bundles."),
    )
    expires_days = forms.IntegerField(
        label=_("Expires after (days)"),
        initial=tokens.DEFAULT_EXPIRY_DAYS,
        required=False,
        help_text=interpolate_lazy(
            _("1 to %(maximum)s days; empty means %(default)s."),
            {"maximum": tokens.MAX_EXPIRY_DAYS, "default": tokens.DEFAULT_EXPIRY_DAYS},
        ),
    )
    # Not "(optional)": it is required with export_keys, and the label says when.
    account_password = account_password_field(
        _("Your account password, to allow exporting private keys"),
        _(
            "Required with 'Allow exporting private keys': such a token can take your "
            "keys, so it needs your login password again. Leave it empty otherwise."
        ),
    )

    def scopes(self) -> list[str]:
        return [TokenScope.KEYS_EXPORT] if self.cleaned_data.get("export_keys") else []
