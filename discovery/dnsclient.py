"""The one module that talks DNS: lookups through resolvers, and RFC 2136 updates with TSIG.

Everything else hands it names, record sets and server addresses and gets plain results back;
no caller sees a dnspython exception. Nothing here imports Django.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.nameserver
import dns.query
import dns.rcode
import dns.rdata
import dns.rdatatype
import dns.resolver
import dns.rrset
import dns.tsig
import dns.tsigkeyring
import dns.update

EDNS_PAYLOAD = 1232  # the DNS flag day size: a 3 0 0 SMIMEA of a big certificate goes over TCP
TSIG_ALGORITHMS = ("hmac-sha256", "hmac-sha384", "hmac-sha512")


class DnsError(ValueError):
    """A server address or key that cannot be used, with a sentence saying why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Server:
    address: str
    port: int = 53

    def __str__(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"


def parse_server(text: str) -> Server:
    """``192.0.2.1``, ``192.0.2.1:5353``, ``2001:db8::1`` or ``[2001:db8::1]:5353``.

    An IP address, not a host name: resolving the server's own name would need the DNS it is
    meant to check or update."""
    value = text.strip()
    port = 53
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        if rest:
            port = _port(rest.removeprefix(":"), text)
    elif value.count(":") == 1:
        host, _, port_text = value.partition(":")
        port = _port(port_text, text)
    else:
        host = value
    try:
        return Server(str(ipaddress.ip_address(host)), port)
    except ValueError:
        raise DnsError(
            f"{text!r} is not a DNS server address; write an IP address with an optional port, "
            "such as 192.0.2.53 or 192.0.2.53:5353."
        ) from None


def _port(text: str, whole: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise DnsError(f"{whole!r} has no valid port after the colon (1-65535).")
    return int(text)


@dataclass(frozen=True)
class Answer:
    """What the resolvers said: the records found (none when the name or type does not exist),
    whether a validating resolver vouched for them (AD bit), or why there was no answer."""

    rdatas: tuple[dns.rdata.Rdata, ...] = ()
    authenticated: bool = False
    problem: str = ""


def _resolver(resolvers: Sequence[Server], timeout: float) -> dns.resolver.Resolver:
    resolver = dns.resolver.Resolver(configure=not resolvers)
    if resolvers:
        resolver.nameservers = [dns.nameserver.Do53Nameserver(s.address, s.port) for s in resolvers]
    # AD in the query asks a validating resolver to say whether it validated (RFC 6840 §5.7).
    resolver.flags = dns.flags.RD | dns.flags.AD
    resolver.use_edns(0, 0, EDNS_PAYLOAD)
    resolver.lifetime = timeout
    resolver.cache = None
    return resolver


def lookup(
    name: dns.name.Name, rdtype: str, resolvers: Sequence[Server], timeout: float = 5.0
) -> Answer:
    """Ask ``resolvers`` (the system's when empty); truncated answers are retried over TCP."""
    try:
        answer = _resolver(resolvers, timeout).resolve(name, rdtype, search=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return Answer()
    except dns.resolver.NoNameservers:
        return Answer(
            problem="every resolver failed to answer (SERVFAIL or refused); for a "
            "DNSSEC-signed zone this usually means its signatures do not validate"
        )
    except dns.resolver.LifetimeTimeout:
        return Answer(problem=f"no resolver answered within {timeout:g} seconds")
    except dns.exception.DNSException as exc:
        return Answer(problem=f"the lookup failed: {exc}")
    authenticated = bool(answer.response.flags & dns.flags.AD)
    return Answer(tuple(answer.rrset or ()), authenticated)


@dataclass(frozen=True)
class TsigKey:
    name: str
    algorithm: str
    secret: bytes


def decode_tsig_secret(text: str) -> bytes:
    """A TSIG secret as configured in BIND or Knot: base64."""
    try:
        secret = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        secret = b""
    if not secret:
        raise DnsError(
            "The TSIG secret is not base64; copy the 'secret' value of the key from the DNS "
            "server's configuration (e.g. from 'tsig-keygen' or 'keymgr -t')."
        )
    return secret


def check_tsig_key_name(text: str) -> str:
    try:
        return dns.name.from_text(text.strip()).to_text(omit_final_dot=True)
    except dns.exception.DNSException as exc:
        raise DnsError(f"{text!r} is not a TSIG key name ({exc}).") from exc


@dataclass(frozen=True)
class UpdateResult:
    ok: bool
    detail: str


def update_message(
    zone: dns.name.Name,
    key: TsigKey,
    wanted: Sequence[dns.rrset.RRset],
    owned: Sequence[tuple[dns.name.Name, str]],
) -> dns.update.UpdateMessage:
    """One atomic update: each (owner, type) in ``owned`` is replaced by its RRset in
    ``wanted``, or deleted when there is none (a renewal swaps records without a gap)."""
    keyring = {dns.name.from_text(key.name): dns.tsig.Key(key.name, key.secret, key.algorithm)}
    update = dns.update.UpdateMessage(
        zone, keyring=keyring, keyname=dns.name.from_text(key.name), keyalgorithm=key.algorithm
    )
    by_owner = {(r.name, dns.rdatatype.to_text(r.rdtype)): r for r in wanted}
    for name, rdtype in owned:
        rrset = by_owner.get((name, rdtype))
        if rrset is None:
            update.delete(name, rdtype)
        else:
            update.replace(name, rrset)
    return update


def send_update(
    server: Server, message: dns.update.UpdateMessage, timeout: float = 5.0
) -> UpdateResult:
    try:
        response = dns.query.tcp(message, server.address, port=server.port, timeout=timeout)
    except dns.tsig.PeerError as exc:
        return UpdateResult(
            False, f"{server} refused the TSIG key ({exc}); check its name, algorithm and secret."
        )
    except dns.exception.Timeout:
        return UpdateResult(False, f"{server} did not answer within {timeout:g} seconds.")
    except (OSError, dns.exception.DNSException) as exc:
        return UpdateResult(False, f"The update could not be sent to {server}: {exc}.")
    rcode = response.rcode()
    if rcode != dns.rcode.NOERROR:
        return UpdateResult(
            False,
            f"{server} refused the update with {dns.rcode.to_text(rcode)}; check that it is the "
            "zone's primary and that the key may update it.",
        )
    return UpdateResult(True, f"{server} accepted the update.")
