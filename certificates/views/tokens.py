"""The API tokens page: list, create (the token is shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.forms import TokenForm
from certificates.models.tokens import ApiToken, TokenScope
from certificates.services import tokens
from certificates.services.actor import signed_in_user
from certificates.services.errors import NotFound, ServiceError
from certificates.views import reauth
from certificates.views.confirm import confirmation_page, confirmed
from certificates.views.shell import post_only, web_actor

# A token just made waits here for the page the creation redirects to, which takes it out:
# the plain token is in the session for one redirect, never in a page a reload could resend.
SHOWN_ONCE = "tokens.new"


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        new_token = request.session.pop(SHOWN_ONCE, None)
        response = _render(request, TokenForm(), new_token=new_token)
        if new_token is not None:
            response["Cache-Control"] = "no-store"  # shown once: not from a cache either
        return response
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _render(request, form, status=400)
    if TokenScope.KEYS_EXPORT in form.scopes():
        # Such a token can download private keys, like the PKCS#12 form: the password again.
        refusal = reauth.confirm(
            request,
            form.cleaned_data["account_password"],
            needed_for=_(
                "a token that can export private keys needs it again. Or untick "
                "'Allow exporting private keys'."
            ),
            nothing_made=_("no token was made"),
        )
        if refusal is not None:
            if not request.user.is_authenticated:  # logged out after too many wrong passwords
                messages.error(request, refusal)
                return redirect("login")
            return _render(request, form, error=refusal, status=403)
    try:
        token, plain = tokens.create(
            web_actor(request),
            signed_in_user(request),
            form.cleaned_data["name"],
            form.scopes(),
            form.cleaned_data["expires_days"],  # empty: the default
        )
    except ServiceError as exc:
        return _render(request, form, error=exc.detail, status=exc.status)
    # POST-redirect-GET: reloading the page that shows the token must not make another one.
    request.session[SHOWN_ONCE] = {"name": token.name, "plain": plain}
    return redirect("tokens")


def _render(
    request: HttpRequest, form: TokenForm, *, error: str = "", status: int = 200, **extra: object
) -> HttpResponse:
    context = {
        "form": form,
        "error": error,
        "tokens": tokens.owned_by(signed_in_user(request)),
        "now": timezone.now(),
        **extra,
    }
    return render(request, "certificates/tokens.html", context, status=status)


def _owned_or_404(request: HttpRequest, pk: int) -> ApiToken:
    try:
        return tokens.owned(signed_in_user(request), pk)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def _tokens_page(request: HttpRequest, pk: int) -> str:
    _owned_or_404(request, pk)
    return reverse("tokens")


@login_required
@post_only(_tokens_page)
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if not confirmed(request):
        token = _owned_or_404(request, pk)
        return confirmation_page(
            request,
            title=_("Revoke the token “%(name)s”?") % {"name": token.name},
            consequence=_(
                "Scripts that use it stop working at once, and a revoked token cannot be used "
                "again: they need a new token."
            ),
            confirm_label=_("Revoke the token “%(name)s”") % {"name": token.name},
            back=reverse("tokens"),
            back_label=_("Keep it"),
        )
    try:
        token = tokens.revoke(web_actor(request), signed_in_user(request), pk)
    except ServiceError as exc:
        return _render(request, TokenForm(), error=exc.detail, status=exc.status)
    messages.success(
        request,
        _("Token “%(name)s” is revoked; scripts using it stop working.") % {"name": token.name},
    )
    return redirect("tokens")
