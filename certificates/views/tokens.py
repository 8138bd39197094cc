"""The API tokens page: list, create (the token is shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from certificates.forms import TokenForm
from certificates.models.tokens import TokenScope
from certificates.services import tokens
from certificates.services.errors import ServiceError
from certificates.views import reauth
from certificates.views.shell import web_actor


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _render(request, form, status=400)
    if TokenScope.KEYS_EXPORT in form.scopes():
        # Such a token can download private keys, like the PKCS#12 form: the password again.
        refusal = reauth.confirm(
            request,
            form.cleaned_data["account_password"],
            needed_for="a token that can export private keys needs it again. Or untick "
            "'Allow exporting private keys'.",
            nothing_made="no token was made",
        )
        if refusal is not None:
            if not request.user.is_authenticated:  # logged out after too many wrong passwords
                messages.error(request, refusal)
                return redirect("login")
            return _render(request, form, error=refusal, status=403)
    try:
        token, plain = tokens.create(
            web_actor(request),
            request.user,
            form.cleaned_data["name"],
            form.scopes(),
            form.cleaned_data["expires_days"],  # empty: the default
        )
    except ServiceError as exc:
        return _render(request, form, error=exc.detail, status=exc.status)
    # Rendered, not redirected: the plain token exists only in this response.
    response = _render(request, TokenForm(), created=token, plain=plain)
    response["Cache-Control"] = "no-store"
    return response


def _render(
    request: HttpRequest, form: TokenForm, *, error: str = "", status: int = 200, **extra: object
) -> HttpResponse:
    context = {
        "form": form,
        "error": error,
        "tokens": tokens.owned_by(request.user),
        "now": timezone.now(),
        **extra,
    }
    return render(request, "certificates/tokens.html", context, status=status)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        token = tokens.revoke(web_actor(request), request.user, pk)
    except ServiceError as exc:
        return _render(request, TokenForm(), error=exc.detail, status=exc.status)
    messages.success(request, f"Token {token.name!r} is revoked; scripts using it stop working.")
    return redirect("tokens")
