"""Pages: publish, withdraw and check a certificate (POSTs from its page), and the domain pages
for certificate admins (settings, zone snippet, CAA suggestion, live checks, push)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from certificates.models import Certificate, Domain
from certificates.responses import attachment
from certificates.services import access
from certificates.services.actor import signed_in_user
from certificates.services.domains import get_domain
from certificates.services.errors import Conflict, Forbidden, NotFound, ServiceError
from certificates.views import confirm
from certificates.views.shell import certificate_or_404, certificate_page, post_only, web_actor
from discovery.dnsclient import UpdateResult
from discovery.forms import DomainPublishingForm
from discovery.services import domains, publishing, push, verification
from discovery.services.published import live_publications, url, zone_text


def _say_push(request: HttpRequest, result: UpdateResult | None) -> None:
    if result is not None:
        say = messages.success if result.ok else messages.error
        say(request, _("DNS update: %(detail)s") % {"detail": result.detail})


def _act(
    request: HttpRequest, cert: Certificate, act: Callable[[Certificate], str]
) -> HttpResponse:
    """A POST on the certificate page: the service's answer as a message, back to the card."""
    try:
        messages.success(request, act(cert))
    except ServiceError as exc:
        messages.error(request, exc.detail)
    return redirect(reverse("certificate-detail", args=[cert.pk]) + "#publication")


@login_required
@post_only(certificate_page)
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    cert = certificate_or_404(request, pk)
    longer = publishing.published_in_place(cert)
    if longer is not None and longer.not_after > cert.not_after and not confirm.confirmed(request):
        return _confirm_replacing(request, cert, longer)

    def act(cert: Certificate) -> str:
        follow = request.POST.get("follow_renewals") == "on"
        publication, replaced = publishing.publish_replacing(
            web_actor(request), cert, follow_renewals=follow
        )
        if publication.pushed_at is not None:
            result = UpdateResult(bool(publication.push_ok), publication.push_detail)
            _say_push(request, result)
        done = _("Published: %(url)s") % {"url": url(cert, publication.domain)}
        if replaced is None:
            return done
        return (
            done
            + " "
            + _(
                "It replaces certificate #%(old)s (valid until %(until)s), which is no longer "
                "published."
            )
            % {"old": replaced.pk, "until": f"{replaced.not_after:%Y-%m-%d}"}
        )

    return _act(request, cert, act)


def _confirm_replacing(
    request: HttpRequest, cert: Certificate, longer: Certificate
) -> HttpResponse:
    """Publishing takes the address's one place: ask before a shorter-lived certificate pushes
    out one that senders could have used for longer."""
    carry = {}
    if request.POST.get("follow_renewals") == "on":
        carry["follow_renewals"] = "on"
    return confirm.confirmation_page(
        request,
        title=_("Replace the published certificate #%(old)s?") % {"old": longer.pk},
        consequence=_(
            "Certificate #%(old)s is published for %(email)s and is valid until %(old_until)s. "
            "Publishing certificate #%(id)s, valid only until %(until)s, withdraws #%(old)s: "
            "senders will find #%(id)s instead, and nothing once it expires."
        )
        % {
            "old": longer.pk,
            "email": cert.email,
            "old_until": f"{longer.not_after:%Y-%m-%d}",
            "id": cert.pk,
            "until": f"{cert.not_after:%Y-%m-%d}",
        },
        confirm_label=_("Publish #%(id)s in place of #%(old)s") % {"id": cert.pk, "old": longer.pk},
        back=reverse("certificate-detail", args=[cert.pk]) + "#publication",
        back_label=_("Keep #%(old)s published") % {"old": longer.pk},
        carry=carry,
    )


@login_required
@post_only(certificate_page)
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    def act(cert: Certificate) -> str:
        done = publishing.withdraw_by_request(web_actor(request), cert)
        return _("Withdrawn.") if done else _("It was not published.")

    return _act(request, certificate_or_404(request, pk), act)


@login_required
@post_only(certificate_page)
def follow_renewals(request: HttpRequest, pk: int) -> HttpResponse:
    def act(cert: Certificate) -> str:
        follow = request.POST.get("follow_renewals") == "on"
        publishing.set_follow_renewals(web_actor(request), cert, follow)
        if follow:
            return _("Its renewal will be published in its place.")
        return _("Its renewal will not be published automatically.")

    return _act(request, certificate_or_404(request, pk), act)


@login_required
@post_only(certificate_page)
def check_dns(request: HttpRequest, pk: int) -> HttpResponse:
    def act(cert: Certificate) -> str:
        publication = publishing.publication_of(cert)
        if publication is None:
            raise Conflict(_("It is not published, so there are no records to check."))
        checks = verification.verify_own(web_actor(request), publication)
        state = verification.state_of(checks).label.lower()
        return _("DNS checked: %(state)s.") % {"state": state}

    return _act(request, certificate_or_404(request, pk), act)


def domain_page(request: HttpRequest, name: str) -> str:
    return reverse("domain-detail", args=[_domain_or_404(request, name).name])


def _domain_or_404(request: HttpRequest, name: str) -> Domain:
    try:
        return get_domain(signed_in_user(request), name)
    except Forbidden as exc:
        raise PermissionDenied(exc.detail) from exc
    except NotFound as exc:
        raise Http404(exc.detail) from exc


@login_required
def domain_list(request: HttpRequest) -> HttpResponse:
    if not access.is_admin(request.user):
        raise PermissionDenied(_("Only certificate admins manage domains."))
    rows = [(d, live_publications(d).count()) for d in Domain.objects.all()]
    return render(request, "discovery/domain_list.html", {"rows": rows})


@login_required
def domain_detail(request: HttpRequest, name: str) -> HttpResponse:
    domain = _domain_or_404(request, name)
    settings = domains.settings_of(domain)
    form = DomainPublishingForm(request.POST or None, instance=settings)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                domains.update(web_actor(request), domain, form.changes())
            except ServiceError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, _("Publishing settings saved."))
                return redirect("domain-detail", name=domain.name)
        status = 400
    context = {
        "domain": domain,
        "settings": domains.settings_of(domain),
        "form": form,
        "publications": live_publications(domain).select_related("certificate__owner"),
        "zone": zone_text(domain),
        "caa": [r.as_dict() for r in domains.caa_records(domain)],
    }
    return render(request, "discovery/domain_detail.html", context, status=status)


@login_required
def domain_zone(request: HttpRequest, name: str) -> HttpResponse:
    domain = _domain_or_404(request, name)
    return attachment(zone_text(domain), "text/plain; charset=utf-8", f"{domain.name}-smime.zone")


@login_required
@post_only(domain_page)
def domain_verify(request: HttpRequest, name: str) -> HttpResponse:
    domain = _domain_or_404(request, name)
    done = verification.verify_domain(web_actor(request), domain)
    wrong = sum(1 for _published, checks in done if verification.state_of(checks) != "ok")
    messages.success(
        request,
        _("Checked %(count)s publication(s) in live DNS; %(wrong)s with problems.")
        % {"count": len(done), "wrong": wrong},
    )
    return redirect("domain-detail", name=domain.name)


@login_required
@post_only(domain_page)
def domain_push(request: HttpRequest, name: str) -> HttpResponse:
    domain = _domain_or_404(request, name)
    result = push.push_domain(web_actor(request), domain)
    if result is None:
        messages.error(request, _("Set an update server and TSIG key first."))
    _say_push(request, result)
    return redirect("domain-detail", name=domain.name)
