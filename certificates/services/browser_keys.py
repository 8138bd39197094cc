"""Keys made in the owner's browser: the download of a key's encrypted server copy (stored by
``requests.create``, see ``key_copies``), and the public material a page needs to build a PKCS#12
itself.

The portal never sees such a key unencrypted: the page sends the CSR and, if the owner wants,
the key encrypted under a passphrase the portal never receives.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from django.utils.translation import gettext as _

from certificates.models import Certificate, CertificateRequest, EncryptedKeyCopy
from certificates.models.keys import KeySource
from certificates.pki import bundle
from certificates.services import audit
from certificates.services import requests as request_service
from certificates.services.actor import Actor
from certificates.services.downloads import file_stem
from certificates.services.errors import Forbidden, NotFound
from certificates.services.export import friendly_name


def _require_owner(actor: Actor, owner_id: int, what: str) -> None:
    if actor.user is None or actor.user.pk != owner_id:
        raise Forbidden(_("Only the owner can use %(what)s.") % {"what": what})


def download_copy(actor: Actor, request: CertificateRequest) -> str:
    """The encrypted key copy of a request, for its owner only; audited."""
    _require_owner(actor, request.owner_id, _("the encrypted copy of this key"))
    try:
        copy = request.key_copy
    except EncryptedKeyCopy.DoesNotExist:
        raise NotFound(
            _(
                "Request #%(id)s has no encrypted key copy on the portal; use the key "
                "backup file or the browser that made the key."
            )
            % {"id": request.pk}
        ) from None
    audit.record(actor, "key.copy_downloaded", request, spki_sha256=copy.spki_sha256)
    return copy.pem


def _copy_request_id(cert: Certificate) -> int | None:
    copy = EncryptedKeyCopy.objects.filter(
        owner_id=cert.owner_id, spki_sha256=cert.spki_sha256
    ).first()
    return copy.request_id if copy is not None else None


def material(actor: Actor, cert: Certificate) -> dict[str, Any]:
    """What the owner's page needs to bundle this certificate with a key it holds: public data,
    and where an encrypted server copy of the key is, if there is one."""
    _require_owner(actor, cert.owner_id, _("this certificate's key in the browser"))
    leaf = x509.load_der_x509_certificate(bytes(cert.der))
    return {
        "id": cert.pk,
        "email": cert.email,
        "status": cert.status,
        "not_after": cert.not_after.isoformat(),
        "key_type": cert.key_type,
        "spki_sha256": cert.spki_sha256,
        "certificate_pem": bundle.certificates_to_pem([leaf]),
        "chain_pem": cert.chain_pem,
        "friendly_name": friendly_name(cert),
        "file_stem": file_stem(cert),
        "label": f"certificate #{cert.pk} for {cert.email} (until {cert.not_after:%Y-%m-%d})",
        "key_copy_request": _copy_request_id(cert),
        "renewal_subject": request_service.renewal_subject(cert),
    }


def browser_certificates(owner_id: int) -> list[Certificate]:
    """Every certificate of the owner whose key a browser made, whatever its status: old keys
    still read old mail."""
    return list(
        Certificate.objects.filter(owner_id=owner_id, key_source=KeySource.BROWSER)
        .select_related("request")
        .order_by("-not_after", "-id")
    )


def all_material(actor: Actor) -> list[dict[str, Any]]:
    if actor.user is None:
        raise Forbidden(_("Log in to see your keys."))
    return [material(actor, cert) for cert in browser_certificates(actor.user.pk)]
