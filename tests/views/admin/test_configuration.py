"""The Django admin's configuration: mail domains, trust anchors and certificate authorities
are added, changed and removed through the services, checked and audited as on the API."""

from __future__ import annotations

from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone

from certificates.models import (
    AuditEvent,
    Certificate,
    CertificateAuthority,
    Domain,
    TrustAnchor,
)
from certificates.services import issuance
from tests.conftest import actor
from tests.factories import to_pem
from tests.testca import SmimeTestCA, other_root
from tests.views.conftest import text


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
    assert response.status_code == 400  # a refusal, not Django admin's usual 200
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
    assert response.status_code == 400
    assert TrustAnchor.objects.count() == 2


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
