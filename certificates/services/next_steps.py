"""What a person does next with each of their certificates and requests ("My certificates")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.contrib.auth.models import User

from certificates.models import Certificate, CertificateRequest
from certificates.models.certificates import CertificateStatus
from certificates.models.requests import RequestState
from certificates.services.certificate_lists import with_renewal_flag
from certificates.services.requests import can_hide


class NextStep(StrEnum):
    NONE = ""
    WAIT_FOR_APPROVAL = "wait_for_approval"
    SUBMIT = "submit"  # send the CSR to the CA and say so
    UPLOAD = "upload"  # the CA's certificate, when it arrives
    DOWNLOAD_BUNDLE = "download_bundle"  # key, certificate and chain as PKCS#12
    DOWNLOAD = "download"  # the certificate (the key is the person's own)
    RENEW = "renew"
    RENEWING = "renewing"  # a renewal is open or issued: nothing to do here


REQUEST_STEPS: dict[str, NextStep] = {
    RequestState.AWAITING_APPROVAL: NextStep.WAIT_FOR_APPROVAL,
    RequestState.CSR_READY: NextStep.SUBMIT,
    RequestState.SUBMITTED: NextStep.UPLOAD,
}
ENDING = (CertificateStatus.EXPIRING, CertificateStatus.EXPIRED, CertificateStatus.REVOKED)


def certificate_step(status: str, has_server_key: bool, renewing: bool) -> NextStep:
    if status in ENDING:
        return NextStep.RENEWING if renewing else NextStep.RENEW
    if status == CertificateStatus.SUPERSEDED:
        return NextStep.NONE  # the certificate that superseded it is the one to use
    return NextStep.DOWNLOAD_BUNDLE if has_server_key else NextStep.DOWNLOAD


@dataclass(frozen=True)
class Row:
    certificate: Certificate
    days_left: int
    step: NextStep


def my_certificates(owner: User, now: datetime) -> list[Row]:
    """The owner's certificates, newest first, each with its days left and next step."""
    certificates = with_renewal_flag(Certificate.objects.filter(owner=owner)).defer(
        "der", "chain_pem"
    )
    return [
        Row(
            certificate=cert,
            days_left=(cert.not_after - now).days,
            step=certificate_step(cert.status, cert.stored_key_id is not None, cert.renewing),
        )
        for cert in certificates
    ]


@dataclass(frozen=True)
class RequestRow:
    request: CertificateRequest
    step: NextStep
    hideable: bool


def my_requests(owner: User, now: datetime, *, hidden: bool) -> list[RequestRow]:
    """The owner's requests, newest first, each with its next step: those hidden from the list
    (``hidden``) or the others."""
    requests = CertificateRequest.objects.filter(owner=owner, hidden_by_owner=hidden)
    return [
        RequestRow(
            request=request,
            step=REQUEST_STEPS.get(request.state, NextStep.NONE),
            hideable=not hidden and can_hide(request, now),
        )
        for request in requests.defer("csr_pem")
    ]


def hidden_count(owner: User) -> int:
    return CertificateRequest.objects.filter(owner=owner, hidden_by_owner=True).count()
