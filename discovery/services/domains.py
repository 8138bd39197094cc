"""A managed domain's publishing settings: SMIMEA forms, case folding, CAA issuers, and the
RFC 2136 primary with its TSIG key (the secret encrypted at rest like private keys)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext as _

from certificates.models import Domain
from certificates.pki import keywrap
from certificates.services import audit
from certificates.services.access import require_admin
from certificates.services.actor import Actor
from certificates.services.errors import Invalid
from certificates.services.keystore import configured_keys
from discovery import dnsclient, records
from discovery.models import DomainPublishing, SmimeaForms


def settings_of(domain: Domain) -> DomainPublishing:
    """The stored settings, or the defaults (unsaved) for a domain nobody configured yet."""
    try:
        return domain.publishing
    except DomainPublishing.DoesNotExist:
        return DomainPublishing(domain=domain)


def base_url(domain: Domain) -> str:
    return records.base_url(domain.name, domain.base_url)


def serving_hosts(domain: Domain) -> set[str]:
    """The Host headers under which the portal serves this domain's .well-known files."""
    hosts = {records.domain_name(domain.name).to_text(omit_final_dot=True)}
    if domain.base_url:
        hosts.add((urlsplit(domain.base_url).hostname or "").lower())
    return hosts - {""}


def caa_issuers(domain: Domain) -> list[str]:
    """The CA domains the CAA issuemail suggestion names: those in the publishing settings,
    and the CAA domain of the CA the mail domain orders from (the Certificate authorities
    page), once."""
    issuers = [i.strip() for i in settings_of(domain).caa_issuers.split(",") if i.strip()]
    authority = domain.certificate_authority
    ordered_from = authority.caa_issuemail if authority is not None else ""
    if ordered_from and ordered_from.lower() not in {i.lower() for i in issuers}:
        issuers.append(ordered_from)
    return issuers


def caa_records(domain: Domain) -> list[records.Record]:
    issuers = caa_issuers(domain)
    owner = records.domain_name(domain.name)
    return [
        records.Record(records.Kind.CAA, owner, domain.dns_ttl, records.caa_issuemail(issuer))
        for issuer in issuers
    ]


@dataclass(frozen=True)
class Changes:
    """What an admin sets; ``tsig_secret`` None keeps the stored secret."""

    smimea_forms: str = SmimeaForms.BOTH
    lowercase_owner: bool = True
    caa_issuers: str = ""
    update_server: str = ""
    tsig_key_name: str = ""
    tsig_algorithm: str = dnsclient.TSIG_ALGORITHMS[0]
    tsig_secret: str | None = None


def _clean(changes: Changes) -> tuple[dict[str, object], bytes | None]:
    """Checked field values and the new TSIG secret (None: keep), or Invalid naming what is
    wrong (nothing is saved then)."""
    try:
        issuers = [i.strip() for i in changes.caa_issuers.split(",") if i.strip()]
        for issuer in issuers:
            records.caa_issuemail(issuer)
        server = (
            str(dnsclient.parse_server(changes.update_server))
            if changes.update_server.strip()
            else ""
        )
        key_name = (
            dnsclient.check_tsig_key_name(changes.tsig_key_name)
            if changes.tsig_key_name.strip()
            else ""
        )
        secret = dnsclient.decode_tsig_secret(changes.tsig_secret) if changes.tsig_secret else None
    except (records.RecordError, dnsclient.DnsError) as exc:
        raise Invalid(exc.message) from exc
    if changes.smimea_forms not in SmimeaForms.values:
        raise Invalid(
            _("SMIMEA forms must be one of %(names)s.") % {"names": ", ".join(SmimeaForms.values)}
        )
    if changes.tsig_algorithm not in dnsclient.TSIG_ALGORITHMS:
        raise Invalid(
            _("The TSIG algorithm must be one of %(names)s.")
            % {"names": ", ".join(dnsclient.TSIG_ALGORITHMS)}
        )
    if server and not key_name:
        raise Invalid(
            _("An update server needs the name of the TSIG key that may update the zone.")
        )
    return {
        "smimea_forms": changes.smimea_forms,
        "lowercase_owner": changes.lowercase_owner,
        "caa_issuers": ", ".join(issuers),
        "update_server": server,
        "tsig_key_name": key_name,
        "tsig_algorithm": changes.tsig_algorithm,
    }, secret


def update(actor: Actor, domain: Domain, changes: Changes) -> DomainPublishing:
    require_admin(actor.user)
    values, secret = _clean(changes)
    with transaction.atomic():
        current = DomainPublishing.objects.select_for_update().filter(domain=domain).first()
        current = current or DomainPublishing(domain=domain)
        changed = sorted(k for k, v in values.items() if getattr(current, k) != v)
        for key, value in values.items():
            setattr(current, key, value)
        stored = bytes(current.tsig_secret)
        if not current.update_server:
            stored = b""  # no server, no key to keep
        elif secret is not None:
            stored = keywrap.wrap(secret, configured_keys(), current.associated_data)
        if stored != bytes(current.tsig_secret):
            current.tsig_secret = stored
            changed.append("tsig_secret")  # that it changed, never its value
        if current.update_server and not current.tsig_secret:
            raise Invalid(_("An update server needs the TSIG key's secret (base64)."))
        current.save()
        audit.record(actor, "domain.publishing_changed", domain, fields=changed)
    return current


def tsig_key(settings: DomainPublishing) -> dnsclient.TsigKey:
    secret = keywrap.unwrap(
        bytes(settings.tsig_secret), configured_keys(), settings.associated_data
    )
    return dnsclient.TsigKey(settings.tsig_key_name, settings.tsig_algorithm, secret)
