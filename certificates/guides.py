"""The install guides: one per mail client, each naming the PKCS#12 profile that client
imports. Their steps are templates (templates/certificates/guides/SLUG.html)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from certificates.pki.pkcs12 import Profile

# The profiles by the names the bundle forms give them.
PROFILE_NAMES = {Profile.LEGACY: _("Compatible"), Profile.MODERN: _("Modern")}


@dataclass(frozen=True)
class Guide:
    slug: str
    name: Promise
    profile: Profile
    why: Promise  # why that profile, and when the other one

    @property
    def template(self) -> str:
        return f"certificates/guides/{self.slug}.html"

    @property
    def profile_name(self) -> Promise:
        return PROFILE_NAMES[self.profile]


GUIDES: tuple[Guide, ...] = (
    Guide(
        "thunderbird",
        _("Thunderbird"),
        Profile.MODERN,
        _("Thunderbird reads both formats; the modern one protects the file better."),
    ),
    Guide(
        "outlook-windows",
        _("Outlook for Windows"),
        Profile.MODERN,
        _(
            "Windows 10 and 11 read the modern format. On Windows 8.1 or older, or Windows "
            "Server 2016 or older, choose the compatible one."
        ),
    ),
    Guide(
        "outlook-mac",
        _("Outlook for Mac"),
        Profile.LEGACY,
        _(
            "Outlook for Mac keeps certificates in the macOS keychain, which older macOS "
            "versions fill only from the compatible format."
        ),
    ),
    Guide(
        "apple-mail",
        _("Apple Mail on macOS"),
        Profile.LEGACY,
        _("The macOS keychain imports the compatible format on every macOS version."),
    ),
    Guide(
        "ios",
        _("Mail on iPhone and iPad"),
        Profile.LEGACY,
        _("iOS and iPadOS install the compatible format on every version."),
    ),
    Guide(
        "android",
        _("Android"),
        Profile.LEGACY,
        _("Many Android versions refuse the modern format with a 'wrong password' message."),
    ),
    Guide(
        "gmail",
        _("Gmail (Google Workspace)"),
        Profile.MODERN,
        _("Gmail takes either format; if it refuses the modern file, upload the compatible one."),
    ),
    Guide(
        "kleopatra",
        _("Kleopatra and gpgsm (GnuPG)"),
        Profile.LEGACY,
        _(
            "gpgsm 2.2 (Debian 12, Kleopatra on many systems) reads only the compatible "
            "format, and only RSA keys: it crashes importing an EC key."
        ),
    ),
)
_BY_SLUG = {guide.slug: guide for guide in GUIDES}


def by_slug(slug: str) -> Guide | None:
    return _BY_SLUG.get(slug)
