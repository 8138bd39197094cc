"""Audit events. Written here, in the service layer, so every door records them."""

from __future__ import annotations

from typing import Any

from django.db import models

from certificates.models import AuditEvent
from certificates.services.actor import Actor


def record(
    actor: Actor, action: str, obj: models.Model | None = None, **details: Any
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor.user,
        actor_label=actor.label,
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        ip=actor.ip,
        details={"via": actor.via, **details},
    )


def timeline(obj: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        object_type=obj._meta.model_name, object_id=str(obj.pk)
    ).order_by("created_at", "id")
