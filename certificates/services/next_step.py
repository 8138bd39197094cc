"""The one thing a certificate's page asks of the person looking at it next.

An owner first puts the certificate into a mail client (the PKCS#12 bundle), then lets others
find it (publishing, which ``discovery`` judges on the page), and renews it when it runs out;
an admin looking at someone's certificate is only asked to renew one that ends. Everything
else on the page stays available, as a secondary action.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from certificates.models import AuditEvent, Certificate
from certificates.models.certificates import CertificateStatus
from certificates.models.keys import KeySource
from certificates.services import setup_test

# Events that show the owner has the key in a mail client: a bundle downloaded from the
# portal, or a test message asked for.
_INSTALLED = ("key.exported", setup_test.ACTION)


class NextStep(StrEnum):
    RENEW = "renew"
    INSTALL = "install"  # download (or build in the browser) the PKCS#12 and import it
    SHARE = "share"  # publish it, or tell people about it: discovery's card says which
    NOTHING = ""


def next_step(cert: Certificate, user: AbstractBaseUser | AnonymousUser) -> NextStep:
    if cert.status in (
        CertificateStatus.EXPIRING,
        CertificateStatus.EXPIRED,
        CertificateStatus.REVOKED,
    ):
        return NextStep.RENEW
    if cert.owner_id != user.pk or cert.status == CertificateStatus.SUPERSEDED:
        return NextStep.NOTHING
    if _key_within_reach(cert) and not _installed(cert):
        return NextStep.INSTALL
    return NextStep.SHARE


def _key_within_reach(cert: Certificate) -> bool:
    """The portal holds the key, or a browser of the owner's does: the page builds the bundle.
    Keys people made themselves are bundled with openssl, where the key is."""
    return cert.stored_key_id is not None or cert.key_source == KeySource.BROWSER


def _installed(cert: Certificate) -> bool:
    return AuditEvent.objects.filter(
        object_type=cert._meta.model_name, object_id=str(cert.pk), action__in=_INSTALLED
    ).exists()
