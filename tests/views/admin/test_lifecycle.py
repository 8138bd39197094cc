"""The Django admin's lifecycle rows: every model renders, crypto stays read-only, rows are
neither added nor deleted there, and the actions (approve, reject, revoke) go through the
services for certificate admins only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from certificates.models import (
    ApiToken,
    AuditEvent,
    Certificate,
    Domain,
    StoredKey,
)
from tests.seed import make_request
from tests.views.conftest import text

MODELS = [
    "domain",
    "certificateauthority",
    "trustanchor",
    "certificaterequest",
    "certificate",
    "storedkey",
    "apitoken",
    "auditevent",
    "notification",
    "loginfailure",
]


@pytest.mark.parametrize("model", MODELS)
def test_changelist_and_change_page_render(
    superuser_web: Client, every_model: dict[str, object], model: str
) -> None:
    obj = every_model[model]
    assert superuser_web.get(f"/admin/certificates/{model}/").status_code == 200
    response = superuser_web.get(f"/admin/certificates/{model}/{obj.pk}/change/")  # type: ignore[attr-defined]
    assert response.status_code == 200


def test_secrets_are_never_displayed(superuser_web: Client, every_model: dict[str, object]) -> None:
    key: StoredKey = every_model["storedkey"]  # type: ignore[assignment]
    token: ApiToken = every_model["apitoken"]  # type: ignore[assignment]
    key_page = superuser_web.get(f"/admin/certificates/storedkey/{key.pk}/change/")
    assert "iphertext" not in key_page.content.decode()
    assert key.spki_sha256 in text(key_page)
    token_page = superuser_web.get(f"/admin/certificates/apitoken/{token.pk}/change/")
    assert token.token_hash not in token_page.content.decode()
    assert "Token hash" not in text(token_page)


@pytest.mark.parametrize(
    "model", [m for m in MODELS if m not in ("domain", "trustanchor", "certificateauthority")]
)
def test_lifecycle_rows_are_not_deleted_from_the_admin(
    superuser_web: Client, every_model: dict[str, object], model: str
) -> None:
    obj = every_model[model]
    url = f"/admin/certificates/{model}/{obj.pk}/delete/"  # type: ignore[attr-defined]
    assert superuser_web.get(url).status_code == 403


@pytest.mark.parametrize(
    "model",
    [
        "auditevent",
        "certificate",
        "certificaterequest",
        "storedkey",
        "apitoken",
        "notification",
        "loginfailure",
    ],
)
def test_no_adding_outside_the_services(superuser_web: Client, model: str) -> None:
    assert superuser_web.get(f"/admin/certificates/{model}/add/").status_code == 403


def test_audit_events_cannot_be_changed(
    superuser_web: Client, every_model: dict[str, object]
) -> None:
    event: AuditEvent = every_model["auditevent"]  # type: ignore[assignment]
    url = f"/admin/certificates/auditevent/{event.pk}/change/"
    superuser_web.post(url, {"action": "forged", "actor_label": "nobody"})
    event.refresh_from_db()
    assert event.action != "forged"


def test_reject_action_asks_for_a_reason(superuser_web: Client, server_request: object) -> None:
    url = "/admin/certificates/certificaterequest/"
    pk = server_request.pk  # type: ignore[attr-defined]
    form = {"action": "reject_selected", "_selected_action": [pk]}
    page = superuser_web.post(url, form)
    assert page.status_code == 200 and "Reason" in text(page)
    response = superuser_web.post(url, {**form, "apply": "1", "reason": "Duplicate request"})
    assert response.status_code == 302
    server_request.refresh_from_db()  # type: ignore[attr-defined]
    assert server_request.state == "rejected"  # type: ignore[attr-defined]
    event = AuditEvent.objects.get(action="request.rejected")
    assert event.details == {"via": "admin", "reason": "Duplicate request"}


def test_revoke_action(superuser_web: Client, issued: Certificate) -> None:
    url = "/admin/certificates/certificate/"
    form = {
        "action": "revoke_selected",
        "_selected_action": [issued.pk],
        "apply": "1",
        "reason": "Key compromise",
    }
    assert superuser_web.post(url, form).status_code == 302
    issued.refresh_from_db()
    assert issued.status == "revoked" and issued.revocation_reason == "Key compromise"
    response = superuser_web.post(url, form, follow=True)
    assert "is already revoked" in text(response)


def test_token_revoke_action(superuser_web: Client, every_model: dict[str, object]) -> None:
    token: ApiToken = every_model["apitoken"]  # type: ignore[assignment]
    response = superuser_web.post(
        "/admin/certificates/apitoken/",
        {"action": "revoke_selected", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="token.revoked", details__via="admin").exists()


def test_staff_without_certificate_admin_rights_runs_no_service_action(
    staff_web: Client, every_model: dict[str, object]
) -> None:
    cert: Certificate = every_model["certificate"]  # type: ignore[assignment]
    token: ApiToken = every_model["apitoken"]  # type: ignore[assignment]
    changelist = staff_web.get("/admin/certificates/certificate/")
    assert changelist.status_code == 200 and "revoke_selected" not in changelist.content.decode()
    requests = staff_web.get("/admin/certificates/certificaterequest/").content.decode()
    assert "approve_selected" not in requests and "reject_selected" not in requests
    staff_web.post(
        "/admin/certificates/certificate/",
        {"action": "revoke_selected", "_selected_action": [cert.pk], "apply": "1", "reason": "x"},
    )
    staff_web.post(
        "/admin/certificates/apitoken/",
        {"action": "revoke_selected", "_selected_action": [token.pk]},
    )
    cert.refresh_from_db()
    token.refresh_from_db()
    assert cert.status == "active" and token.revoked_at is None
    assert staff_web.get("/admin/certificates/domain/add/").status_code == 403
    staff_web.post("/admin/certificates/domain/add/", {"name": "example.org", "dns_ttl": 3600})
    assert not Domain.objects.filter(name="example.org").exists()
    assert staff_web.get("/admin/certificates/certificateauthority/add/").status_code == 403
    assert not AuditEvent.objects.filter(action__in=["certificate.revoked", "domain.added"])


def test_approve_action(superuser_web: Client, owner: User) -> None:
    domain = Domain.objects.get()
    domain.requires_approval = True
    domain.save()
    waiting = make_request(owner, "awaiting_approval")
    ready = make_request(owner, "csr_ready")
    response = superuser_web.post(
        "/admin/certificates/certificaterequest/",
        {"action": "approve_selected", "_selected_action": [waiting.pk, ready.pk]},
        follow=True,
    )
    page = text(response)
    assert "1 approved." in page and "so it cannot become 'csr_ready'" in page
    waiting.refresh_from_db()
    assert waiting.state == "csr_ready"
