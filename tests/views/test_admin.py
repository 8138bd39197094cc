"""The Django admin: every model renders, crypto stays read-only, changes go through services."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone

from certificates.models import (
    ApiToken,
    AuditEvent,
    Certificate,
    CertificateAuthority,
    Domain,
    LoginFailure,
    Notification,
    StoredKey,
    TrustAnchor,
)
from certificates.services import issuance, tokens
from tests.conftest import actor
from tests.factories import logged_in, to_pem
from tests.seed import make_request
from tests.testca import SmimeTestCA, other_root
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


@pytest.fixture
def superuser_web(trust_anchor: TrustAnchor) -> Client:
    return logged_in(User.objects.get(username="root-admin"))


@pytest.fixture
def every_model(issued: Certificate, owner: User) -> dict[str, object]:
    token, _ = tokens.create(actor(owner), owner, "script", ["keys:export"])
    notice = Notification.objects.create(key="test:1", kind="test", recipient="a@example.com")
    return {
        "domain": Domain.objects.get(),
        "certificateauthority": CertificateAuthority.objects.create(name="Sectigo"),
        "trustanchor": TrustAnchor.objects.get(),
        "certificaterequest": issued.request,
        "certificate": issued,
        "storedkey": issued.stored_key,
        "apitoken": token,
        "auditevent": AuditEvent.objects.first(),
        "notification": notice,
        "loginfailure": LoginFailure.objects.create(username="alice", ip="192.0.2.1"),
    }


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


def test_domain_add_goes_through_the_service(superuser_web: Client) -> None:
    assert superuser_web.get("/admin/certificates/domain/add/").status_code == 200
    response = superuser_web.post(
        "/admin/certificates/domain/add/",
        {
            "name": "Mail.Example.ORG.",
            "base_url": "",
            "dns_ttl": "300",
        },
    )
    assert response.status_code == 302, text(response)
    domain = Domain.objects.get(name="mail.example.org")
    assert domain.dns_ttl == 300
    event = AuditEvent.objects.get(action="domain.added")
    assert event.details["via"] == "admin" and event.actor_label == "root-admin"
    assert event.object_id == str(domain.pk)


def test_domain_refusal_shows_the_service_sentence(superuser_web: Client, domain: Domain) -> None:
    response = superuser_web.post(
        "/admin/certificates/domain/add/", {"name": "example.com", "dns_ttl": "3600"}
    )
    assert response.status_code == 200
    assert "example.com is already a managed domain." in text(response)
    response = superuser_web.post(
        "/admin/certificates/domain/add/", {"name": "localhost", "dns_ttl": "3600"}
    )
    assert "is not a domain name such as example.com" in text(response)
    assert Domain.objects.count() == 1


def test_domain_change_is_audited(superuser_web: Client, every_model: dict[str, object]) -> None:
    domain: Domain = every_model["domain"]  # type: ignore[assignment]
    response = superuser_web.post(
        f"/admin/certificates/domain/{domain.pk}/change/",
        {
            "base_url": "https://www.example.com",
            "dns_ttl": "600",
            "dnssec_signed": "on",
        },
    )
    assert response.status_code == 302, text(response)
    domain.refresh_from_db()
    assert domain.dnssec_signed and domain.name == "example.com"
    event = AuditEvent.objects.get(action="domain.changed")
    assert event.details["fields"] == ["base_url", "dns_ttl", "dnssec_signed"]


def test_trust_anchor_add_takes_a_pem(
    superuser_web: Client, trust_anchor: TrustAnchor, test_ca: SmimeTestCA
) -> None:
    other = other_root(timezone.now())
    assert superuser_web.get("/admin/certificates/trustanchor/add/").status_code == 200
    response = superuser_web.post(
        "/admin/certificates/trustanchor/add/",
        {
            "name": "Other Root",
            "pem_text": to_pem(other.root),
        },
    )
    assert response.status_code == 302, text(response)
    anchor = TrustAnchor.objects.get(name="Other Root")
    assert anchor.subject == other.root.subject.rfc4514_string()
    assert AuditEvent.objects.filter(
        action="trust_anchor.added", object_id=str(anchor.pk), details__via="admin"
    ).exists()
    response = superuser_web.post(
        "/admin/certificates/trustanchor/add/",
        {
            "name": "Again",
            "pem_text": to_pem(test_ca.root),
        },
    )
    assert "This root is already a trust anchor." in text(response)
    response = superuser_web.post(
        "/admin/certificates/trustanchor/add/",
        {
            "name": "Leaf",
            "pem_text": "garbage",
        },
    )
    assert response.status_code == 200
    assert TrustAnchor.objects.count() == 2


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


def test_a_domain_in_use_cannot_be_deleted_in_the_admin(
    superuser_web: Client, issued: Certificate
) -> None:
    domain = Domain.objects.get()
    url = f"/admin/certificates/domain/{domain.pk}/delete/"
    page = superuser_web.get(url)
    assert "Cannot delete domain" in text(page)
    assert f"1 live certificate (#{issued.pk}) use addresses in it" in text(page)
    superuser_web.post(url, {"post": "yes"})
    assert Domain.objects.exists()

    issuance.declare_revoked(actor(issued.owner), issued, "left the company")
    response = superuser_web.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Domain.objects.exists()
    event = AuditEvent.objects.get(action="domain.removed")
    assert (event.details["via"], event.actor_label) == ("admin", "root-admin")


def test_removing_a_trust_anchor_in_the_admin_states_and_applies_the_consequence(
    superuser_web: Client, issued: Certificate
) -> None:
    anchor = TrustAnchor.objects.get()
    url = f"/admin/certificates/trustanchor/{anchor.pk}/delete/"
    assert (
        "1 stored certificate is trusted through this root. Removing it judges them again"
        in text(superuser_web.get(url))
    )
    page = superuser_web.post(url, {"post": "yes"}, follow=True)
    assert f"Now untrusted root: certificates #{issued.pk}." in text(page)
    issued.refresh_from_db()
    assert (issued.chain_verdict, issued.trust_anchor) == ("untrusted-root", None)
    assert AuditEvent.objects.filter(action="trust_anchor.removed", details__via="admin").exists()


def test_a_trust_anchor_added_without_a_name_is_named_after_its_subject(
    superuser_web: Client, trust_anchor: TrustAnchor
) -> None:
    other = other_root(timezone.now())
    response = superuser_web.post(
        "/admin/certificates/trustanchor/add/", {"name": "", "pem_text": to_pem(other.root)}
    )
    assert response.status_code == 302, text(response)
    assert TrustAnchor.objects.filter(name="Other S/MIME Root CA").exists()


@pytest.fixture
def staff_web(every_model: dict[str, object]) -> Client:
    """A staff member allowed to view every portal model and to add domains (Django model
    permissions), but not a certificate admin."""
    staff = User.objects.create_user("dave", "dave@example.com", "dave-pass-1234", is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="certificates", codename__startswith="view_"
        )
        | Permission.objects.filter(codename="add_domain")
    )
    return logged_in(staff)


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


def test_staff_with_django_rights_on_cas_still_change_none(staff_web: Client) -> None:
    """Django's change and delete permissions on the model are not enough: changing what
    requests ask for is a certificate admin's."""
    authority = CertificateAuthority.objects.create(name="HARICA", profile="individual")
    dave = User.objects.get(username="dave")
    dave.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["change_certificateauthority", "delete_certificateauthority"]
        )
    )
    url = f"/admin/certificates/certificateauthority/{authority.pk}/"
    change = staff_web.get(f"{url}change/")
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    staff_web.post(f"{url}change/", {"name": "HARICA", "profile": "mailbox"})
    assert staff_web.post(f"{url}delete/", {"post": "yes"}).status_code == 403
    authority.refresh_from_db()
    assert authority.profile == "individual"
    assert not AuditEvent.objects.filter(action__startswith="authority.").exists()


def test_certificate_authorities_are_kept_through_the_service(
    superuser_web: Client, domain: Domain
) -> None:
    url = "/admin/certificates/certificateauthority/"
    form = {"name": "Sectigo", "profile": "individual", "submit_url": "order.example/s"}
    assert superuser_web.post(f"{url}add/", form).status_code == 302
    authority = CertificateAuthority.objects.get()
    assert authority.submit_url == "https://order.example/s"
    duplicate = superuser_web.post(f"{url}add/", {**form, "name": "SECTIGO"})
    assert "There is already a certificate authority named 'SECTIGO'." in text(duplicate)
    changed = superuser_web.post(
        f"{url}{authority.pk}/change/", {**form, "profile": "mailbox", "caa_issuemail": "bad"}
    )
    assert "is not a domain name such as example.com" in text(changed)
    changed = superuser_web.post(f"{url}{authority.pk}/change/", {**form, "profile": "mailbox"})
    assert changed.status_code == 302
    authority.refresh_from_db()
    assert authority.profile == "mailbox"
    event = AuditEvent.objects.get(action="authority.changed")
    assert event.details == {"via": "admin", "fields": ["profile"]}
    superuser_web.post(
        f"/admin/certificates/domain/{domain.pk}/change/",
        {"dns_ttl": "3600", "certificate_authority": authority.pk, "requires_approval": "on"},
    )
    domain.refresh_from_db()
    assert domain.certificate_authority == authority and domain.requires_approval
    assert "example.com" in text(superuser_web.get(url))
    assert superuser_web.post(f"{url}{authority.pk}/delete/", {"post": "yes"}).status_code == 302
    assert AuditEvent.objects.filter(action="authority.removed", details__via="admin").exists()
    domain.refresh_from_db()
    assert domain.certificate_authority is None


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
