"""Forms of the pages certificate admins run the organisation with: the audit log's and the
certificates table's filters, the dashboard's timeline choice, and a certificate authority.
Like certificates.forms, they check shape only; the services judge."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from certificates.models import CertificateAuthority, Domain
from certificates.models.audit import AuditObject
from certificates.models.certificates import CertificateStatus
from certificates.models.keys import KeySource
from certificates.services import audit
from certificates.services.certificate_lists import MAX_WITHIN_DAYS, RevocationFilter, Sort
from certificates.services.dashboard import GroupBy, Step

ANY: list[tuple[str, StrOrPromise]] = [("", _("Any"))]


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor (username)"), required=False, max_length=150)
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=64,
        help_text=_("e.g. key.exported, request.created"),
    )
    object_type = forms.ChoiceField(
        label=_("Object type"),
        required=False,
        choices=[("", _("Any")), *AuditObject.choices],
    )
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    since = forms.DateField(
        label=_("From (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To (date, included)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        problem = audit.object_id_problem(
            data.get("object_type") or "", data.get("object_id") or ""
        )
        if problem:
            self.add_error("object_id", problem)
        return data

    def search_filters(self) -> dict[str, Any]:
        """audit.search's arguments: dates become UTC midnights, the end one day later so
        that its day is included."""
        data = self.cleaned_data
        since, until = data.get("since"), data.get("until")
        return {
            "actor": data.get("actor") or "",
            "action": data.get("action") or "",
            "object_type": data.get("object_type") or "",
            "object_id": data.get("object_id") or "",
            "since": _midnight(since) if since else None,
            "until": _midnight(until + timedelta(days=1)) if until else None,
        }


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class CertificateFilterForm(forms.Form):
    """The filters of certificate_lists.search, named as the API's query parameters."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Name, address, username, or the start of a serial number or fingerprint"),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[*ANY, *CertificateStatus.choices]
    )
    domain = forms.ChoiceField(label=_("Domain"), required=False)
    issuer = forms.CharField(label=_("Issuer contains"), required=False, max_length=200)
    key_source = forms.ChoiceField(
        label=_("Key"), required=False, choices=[*ANY, *KeySource.choices]
    )
    expiring_within = forms.IntegerField(
        label=_("Ending within (days)"), required=False, min_value=1, max_value=MAX_WITHIN_DAYS
    )
    revocation = forms.ChoiceField(
        label=_("Revocation check"), required=False, choices=[*ANY, *RevocationFilter.choices]
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=Sort.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = Domain.objects.values_list("name", flat=True)
        domain = self.fields["domain"]
        assert isinstance(domain, forms.ChoiceField)
        domain.choices = ANY + [(name, name) for name in names]

    def search_filters(self) -> dict[str, Any]:
        """The valid filters (an invalid one is left out and shown as an error)."""
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}


class TimelineForm(forms.Form):
    step = forms.ChoiceField(
        label=_("Per"), required=False, choices=[(s.value, s.value) for s in Step]
    )
    by = forms.ChoiceField(
        label=_("Stacked by"), required=False, choices=[(g.value, g.value) for g in GroupBy]
    )

    def choice(self) -> tuple[Step, GroupBy]:
        data = self.cleaned_data if self.is_valid() else {}
        return Step(data.get("step") or Step.MONTH), GroupBy(data.get("by") or GroupBy.DOMAIN)


class AuthorityForm(forms.ModelForm[CertificateAuthority]):
    submit_url = forms.URLField(
        label=_("Submit URL"),
        required=False,
        assume_scheme="https",
        help_text=CertificateAuthority._meta.get_field("submit_url").help_text,
    )
    domains = forms.ModelMultipleChoiceField(
        label=_("Mail domains it serves"),
        queryset=Domain.objects.all(),
        required=False,
        to_field_name="name",
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Requests for addresses in these domains ask for this CA's profile and say "
            "how to send the CSR to it. A domain orders from one CA."
        ),
    )

    class Meta:
        model = CertificateAuthority
        fields = ["name", "product", "profile", "submit_url", "instructions", "caa_issuemail"]
        widgets = {"instructions": forms.TextInput(attrs={"size": 80})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["domains"] = [d.name for d in self.instance.domains.all()]

    def validate_unique(self) -> None:
        """The service says when a name is taken, the same on every door."""

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["domains"] = [d.name for d in data.get("domains") or []]
        return data
