"""System checks for the publishing settings."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

from discovery.dnsclient import DnsError, parse_server


@register()
def dns_resolvers_are_addresses(app_configs: object, **kwargs: object) -> list[Error]:
    errors = []
    for text in settings.DNS_RESOLVERS:
        try:
            parse_server(text)
        except DnsError as exc:
            errors.append(Error(f"DNS_RESOLVERS: {exc.message}", id="discovery.E001"))
    return errors
