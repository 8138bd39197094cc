"""PKCS#12 export of server-held keys: owner only, password never stored, audited and mailed."""

from __future__ import annotations

from cryptography import x509
from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from certificates import notices
from certificates.models import Certificate
from certificates.pki import pkcs12
from certificates.pki.errors import PkiError
from certificates.services import audit, keystore
from certificates.services.actor import Actor
from certificates.services.downloads import chain_of, file_stem
from certificates.services.errors import Conflict, Forbidden, Invalid


def pkcs12_filename(cert: Certificate, profile: str) -> str:
    return f"{file_stem(cert)}-{profile}.p12"


def friendly_name(cert: Certificate) -> str:
    """The name mail clients show for the bundled key, whoever builds the bundle."""
    return f"{cert.email} S/MIME {cert.not_after:%Y-%m-%d}"


@sensitive_variables("password")
def export_pkcs12(actor: Actor, cert: Certificate, password: str, profile: str) -> bytes:
    if actor.user is None or cert.owner_id != actor.user.pk:
        raise Forbidden(_("Only the certificate's owner can export its private key."))
    if cert.stored_key is None:
        raise Conflict(
            _(
                "The portal does not hold the private key of this certificate (it was made from "
                "your own CSR, in your browser, or imported). Build the bundle where the key "
                "is: %(command)s"
            )
            % {"command": pkcs12.pkcs12_compat_command()}
        )
    leaf = x509.load_der_x509_certificate(bytes(cert.der))
    chain = chain_of(cert)
    try:
        data = pkcs12.build_pkcs12(
            key=keystore.load(cert.stored_key),
            cert=leaf,
            chain=chain,
            password=password,
            profile=profile,
            friendly_name=friendly_name(cert),
        )
    except PkiError as exc:
        raise Invalid(exc.message) from exc
    with transaction.atomic():
        event = audit.record(actor, "key.exported", cert, profile=profile, format="pkcs12")
        notices.key_exported(event, cert)
    return data
