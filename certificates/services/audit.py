"""Audit events. Written here, in the service layer, so every door records them."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from certificates.models import AuditEvent
from certificates.models.audit import AuditObject
from certificates.services.access import require_admin
from certificates.services.actor import Actor
from certificates.services.moments import as_utc


def record(
    actor: Actor, action: str, obj: models.Model | None = None, **details: Any
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor.user,
        actor_label=actor.label,
        action=action,
        # (model_name is typed optional; every concrete model has one)
        object_type=AuditObject(str(obj._meta.model_name)) if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        ip=actor.ip,
        details={"via": actor.via, **details},
    )


# Short names people type for object types (model names otherwise).
OBJECT_ALIASES = {
    "request": AuditObject.REQUEST,
    "token": AuditObject.API_TOKEN,
    "key": AuditObject.STORED_KEY,
    "trust-anchor": AuditObject.TRUST_ANCHOR,
}


def object_id_problem(object_type: str, object_id: str) -> str:
    """Why ``object_id`` can name no audited object of ``object_type`` (any type when empty),
    or "" when it can: rows are numbered, stored keys have UUIDs. A filter that can match
    nothing is a mistyped filter, refused like the others rather than answered "0 events"."""
    value = object_id.strip()
    if not value:
        return ""
    kind = OBJECT_ALIASES.get(object_type.strip(), object_type.strip())
    number = value.isascii() and value.isdigit()
    if kind == AuditObject.STORED_KEY:
        return (
            ""
            if _is_uuid(value)
            else _("A stored key's id is a UUID, such as %(example)s.")
            % {"example": "0f8a3c2e-5b1d-4e7a-9c6f-2d4b8e1a7c35"}
        )
    if kind:
        return "" if number else _("An object id is a number, such as 12.")
    if number or _is_uuid(value):
        return ""
    return _("An object id is a number, such as 12 (a stored key's id is a UUID).")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def search(
    viewer: User,
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> models.QuerySet[AuditEvent]:
    """Audit events for admins, newest first. ``action`` matches exactly or as a dotted prefix
    (``request`` finds ``request.created``, ``request.issued`` …); ``since`` is inclusive,
    ``until`` exclusive, and a time without a zone is UTC."""
    require_admin(viewer)
    events = AuditEvent.objects.select_related("actor")
    if actor.strip():
        events = events.filter(actor_label__iexact=actor.strip())
    if action.strip():
        action = action.strip().rstrip(".")
        events = events.filter(Q(action=action) | Q(action__startswith=action + "."))
    if object_type.strip():
        events = events.filter(
            object_type=OBJECT_ALIASES.get(object_type.strip(), object_type.strip())
        )
    if object_id.strip():
        events = events.filter(object_id=object_id.strip())
    if since is not None:
        events = events.filter(created_at__gte=as_utc(since))
    if until is not None:
        events = events.filter(created_at__lt=as_utc(until))
    return events


def timeline(obj: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        object_type=obj._meta.model_name, object_id=str(obj.pk)
    ).order_by("created_at", "id")


def timelines(objs: Sequence[models.Model]) -> dict[str, list[AuditEvent]]:
    """timeline() for several objects of one model in one query, by object id."""
    grouped: dict[str, list[AuditEvent]] = defaultdict(list)
    if objs:
        events = AuditEvent.objects.filter(
            object_type=objs[0]._meta.model_name, object_id__in=[str(o.pk) for o in objs]
        ).order_by("created_at", "id")
        for event in events:
            grouped[event.object_id].append(event)
    return grouped
