"""The admin pages' fixtures: a superuser, one row of every portal model, and a staff member
who is not a certificate admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from certificates.models import (
    AuditEvent,
    Certificate,
    CertificateAuthority,
    Domain,
    LoginFailure,
    Notification,
    TrustAnchor,
)
from certificates.services import tokens
from tests.conftest import actor
from tests.factories import logged_in


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
