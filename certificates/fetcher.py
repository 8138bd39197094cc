"""The one module that makes outbound HTTP requests (OCSP, CRLs, caIssuers, sender lookups).

Everything a certificate names is attacker-controlled: its URLs may point at the cloud
metadata service, the database or a 20 GB file. So every fetch here:
- takes only http and https URLs, also after a redirect (at most ``max_redirects``, GET only);
- resolves the host once and connects to that address, judging the address itself — not the
  name — so a DNS answer that changes between check and connect (rebinding) cannot get round
  it; loopback, private, link-local, unspecified, multicast and reserved addresses are refused
  unless ``allow_private`` (tests and local demos);
- keeps TLS honest on https: SNI and certificate verification use the URL's host name even
  though the socket was opened to an address;
- stops reading at ``max_bytes`` and after ``timeout`` seconds in total.

No Django here: callers pass the policy (``allow_private`` from FETCH_ALLOW_PRIVATE_NETWORKS).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

ALLOWED_SCHEMES = ("http", "https")
USER_AGENT = "smime-portal (revocation and certificate fetcher)"
_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Printable ASCII is sent as it is (existing %-escapes included); anything else is %-encoded as
# UTF-8, as browsers do with a raw "/jörg.crt" in a URL or a Location header.
_KEEP_IN_TARGET = "".join(chr(code) for code in range(0x21, 0x7F))
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


# What kind of fault a FetchError is, for callers that word it for people who should not see
# the technical sentence (an operating-system error, a setting's name).
UNRESOLVED = "unresolved"  # the host name does not resolve
PRIVATE = "private"  # it leads only to addresses the policy refuses
UNREACHABLE = "unreachable"  # no connection, or it broke off
TIMEOUT = "timeout"
TLS = "tls"
HTTP_STATUS = "http-status"
TOO_LARGE = "too-large"
BAD_URL = "bad-url"  # no URL, a scheme other than http(s), a redirect to such


class FetchError(Exception):
    """Why a fetch gave nothing, in a sentence for operators; ``transient`` faults (timeouts,
    refused connections, 5xx) may succeed later, policy refusals never will. ``kind`` says
    which fault it is and ``host`` whom it concerned ("" when no host was named)."""

    def __init__(
        self,
        reason: str,
        *,
        transient: bool = False,
        status: int | None = None,
        kind: str = "",
        host: str = "",
    ):
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.status = status
        self.kind = kind or (HTTP_STATUS if status is not None else BAD_URL)
        self.host = host


@dataclass(frozen=True)
class FetchResult:
    url: str  # after redirects
    status: int
    content_type: str
    body: bytes
    peer: str  # the address actually connected to


def fetch(
    url: str,
    *,
    max_bytes: int,
    timeout: float = 10.0,
    allow_private: bool = False,
    method: str = "GET",
    body: bytes | None = None,
    content_type: str | None = None,
    accept: str | None = None,
    max_redirects: int = 3,
) -> FetchResult:
    """GET (or POST ``body`` as ``content_type``) ``url`` under the rules above.

    Answers other than 2xx raise FetchError with their status."""
    deadline = time.monotonic() + timeout
    for _ in range(max_redirects + 1):
        result, location = _once(
            url, method, body, content_type, accept, max_bytes, deadline, allow_private
        )
        if result.status not in _REDIRECTS or not location:
            if not 200 <= result.status < 300:
                raise FetchError(
                    f"{url} answered HTTP {result.status}.",
                    transient=result.status >= 500 or result.status == 429,
                    status=result.status,
                )
            return result
        if method != "GET":
            raise FetchError(f"{url} answered a {method} with a redirect; it is not followed.")
        try:
            url = urljoin(url, location)
        except ValueError as exc:
            raise FetchError(f"{url} redirected to {location!r}, which is no URL.") from exc
    raise FetchError(
        f"More than {max_redirects} redirects; the last one pointed to {url}.", kind=UNREACHABLE
    )


def _once(
    url: str,
    method: str,
    body: bytes | None,
    content_type: str | None,
    accept: str | None,
    max_bytes: int,
    deadline: float,
    allow_private: bool,
) -> tuple[FetchResult, str]:
    """One request and its answer, with the redirect target if there is one."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # "http://[::1" and other broken authorities
        raise FetchError(f"{url} is not a valid URL ({exc}).") from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = f"'{scheme}:'" if scheme else "no scheme"
        raise FetchError(f"{url} uses {shown}; only http and https URLs are fetched.")
    host = parts.hostname
    if not host:
        raise FetchError(f"{url} names no host.")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError(f"{url} has an invalid port.") from exc
    address = _resolve(host, port, allow_private)
    connection = _connection(scheme, host, port, address, _remaining(deadline, url))
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", "Connection": "close"}
    if accept:
        headers["Accept"] = accept
    if content_type:
        headers["Content-Type"] = content_type
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    target = quote(target, safe=_KEEP_IN_TARGET)
    try:
        connection.request(method, target, body=body, headers=headers)
        sock = connection.sock  # the response closes the connection's reference to it
        sock.settimeout(_remaining(deadline, url))
        response = connection.getresponse()
        # Only a success's body is read; an error page or a redirect's is of no use.
        ok = 200 <= response.status < 300
        data = _read_capped(response, url, max_bytes, deadline, sock) if ok else b""
    except TimeoutError as exc:
        raise FetchError(
            f"{url} did not answer in time.", transient=True, kind=TIMEOUT, host=host
        ) from exc
    except ssl.SSLError as exc:
        raise FetchError(
            f"TLS with {host} failed ({exc.reason or exc}).", kind=TLS, host=host
        ) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(
            f"Fetching {url} failed ({exc}).", transient=True, kind=UNREACHABLE, host=host
        ) from exc
    finally:
        connection.close()
    result = FetchResult(
        url=url,
        status=response.status,
        content_type=response.getheader("Content-Type") or "",
        body=data,
        peer=str(address),
    )
    return result, response.getheader("Location") or ""


def _remaining(deadline: float, url: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(f"{url} did not answer in time.", transient=True, kind=TIMEOUT)
    return left


def _resolve(host: str, port: int, allow_private: bool) -> IPAddress:
    """The address to connect to: the first the name resolves to that the policy allows."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        candidates = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise FetchError(
                f"The host name {host} does not resolve ({exc}).",
                transient=True,
                kind=UNRESOLVED,
                host=host,
            ) from exc
        candidates = [ipaddress.ip_address(info[4][0]) for info in infos]
    refusals = []
    for address in candidates:
        problem = None if allow_private else refused_address(address)
        if problem is None:
            return address
        refusals.append(f"{address} ({problem})")
    raise FetchError(
        f"{host} is not fetched: it leads to {', '.join(refusals)}, and fetches to private "
        "networks are off (FETCH_ALLOW_PRIVATE_NETWORKS).",
        kind=PRIVATE,
        host=host,
    )


def refused_address(address: IPAddress) -> str | None:
    """Why an address is not fetched from by default (None when it is public)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return refused_address(embedded)
    checks = [
        (address.is_unspecified, "unspecified address"),
        (address.is_loopback, "loopback address"),
        (address.is_link_local, "link-local address"),
        (address.is_multicast, "multicast address"),
        (address.is_private, "private network"),
        (address.is_reserved, "reserved address"),
        (not address.is_global, "not a public address"),
    ]
    return next((why for bad, why in checks if bad), None)


def _connection(
    scheme: str, host: str, port: int, address: IPAddress, timeout: float
) -> http.client.HTTPConnection:
    if scheme == "https":
        return _PinnedHTTPS(host, port, str(address), timeout, ssl.create_default_context())
    return _PinnedHTTP(host, port, str(address), timeout)


class _PinnedHTTP(http.client.HTTPConnection):
    """Talks HTTP to ``host`` (Host header) over a socket opened to the address judged."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        try:
            self.sock = socket.create_connection((self._address, self.port), self.timeout)
        except TimeoutError as exc:
            raise FetchError(
                f"{self.host} ({self._address}) did not accept a connection in time.",
                transient=True,
                kind=TIMEOUT,
                host=self.host,
            ) from exc
        except OSError as exc:
            raise FetchError(
                f"Could not connect to {self.host} ({self._address}): {exc.strerror or exc}.",
                transient=True,
                kind=UNREACHABLE,
                host=self.host,
            ) from exc
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPS(_PinnedHTTP):
    default_port = 443

    def __init__(
        self, host: str, port: int, address: str, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, address, timeout)
        self._tls = context

    def connect(self) -> None:
        super().connect()
        # SNI and the certificate check use the name from the URL, not the address.
        self.sock = self._tls.wrap_socket(self.sock, server_hostname=self.host)


def _read_capped(
    response: http.client.HTTPResponse,
    url: str,
    max_bytes: int,
    deadline: float,
    sock: socket.socket,
) -> bytes:
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(
            _too_large(url, max_bytes, f"announces {int(declared):,} bytes"), kind=TOO_LARGE
        )
    chunks: list[bytes] = []
    size = 0
    while True:
        sock.settimeout(_remaining(deadline, url))
        chunk = response.read1(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(_too_large(url, max_bytes, "sent more"), kind=TOO_LARGE)
        chunks.append(chunk)


def _too_large(url: str, max_bytes: int, what: str) -> str:
    return f"{url} {what}; the limit for this fetch is {max_bytes:,} bytes."
