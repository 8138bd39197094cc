"""Real DNS peers from Debian, started on free loopback ports:

- Knot DNS (``knotd``), authoritative for a test zone built from the portal's own zone snippet,
  signing it with DNSSEC automatically and accepting RFC 2136 updates signed with a TSIG key;
- Unbound, a validating resolver that trusts the zone's key, so its answers carry the AD bit
  exactly when the signatures check out.

Both run in the foreground of a subprocess and are stopped by the fixtures that start them.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import dns.message
import dns.query
import dns.rdatatype
import pytest

from tests.peers import free_port

TSIG_NAME = "portal-update"
TSIG_SECRET = base64.b64encode(b"a test key for RFC 2136 updates!").decode()
SOA = (
    "@ 3600 IN SOA ns1.{zone}. hostmaster.{zone}. 1 3600 600 86400 60\n"
    "@ 3600 IN NS ns1.{zone}.\n"
    "ns1 3600 IN A 127.0.0.1\n"
)
TOOLS = {"knotd": "knot", "knotc": "knot", "unbound": "unbound", "named-checkzone": "bind9-utils"}


def require_tools() -> None:
    """The suite installs these (bin/test); a missing one fails the run, it is never skipped."""
    missing = sorted({pkg for tool, pkg in TOOLS.items() if shutil.which(tool) is None})
    if missing:
        pytest.fail(f"The DNS tests need the Debian packages: apt-get install {' '.join(missing)}")


def zone_file(zone: str, snippet: str) -> str:
    """A loadable zone: SOA, NS and the name server's address, then the portal's snippet."""
    return f"$ORIGIN {zone}.\n" + SOA.format(zone=zone) + snippet


def wait_for_answer(
    port: int, name: str, rdtype: str, timeout: float = 15.0
) -> dns.message.Message:
    deadline = time.monotonic() + timeout
    while True:
        try:
            query = dns.message.make_query(name, rdtype)
            response = dns.query.udp(query, "127.0.0.1", port=port, timeout=1)
            if response.answer:
                return response
        except (OSError, dns.exception.Timeout):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"no {rdtype} answer for {name} on port {port} in time")
        time.sleep(0.1)


class Knot:
    """knotd serving one zone, signed, with an update ACL for the TSIG key."""

    def __init__(self, folder: Path, zone: str) -> None:
        self.folder, self.zone, self.port = folder, zone, free_port()
        (folder / "db").mkdir(parents=True)
        self.config = folder / "knot.conf"
        self.config.write_text(
            f"""server:
    rundir: {folder}
    listen: 127.0.0.1@{self.port}
database:
    storage: {folder / "db"}
key:
  - id: {TSIG_NAME}
    algorithm: hmac-sha256
    secret: {TSIG_SECRET}
acl:
  - id: portal
    key: {TSIG_NAME}
    action: update
policy:
  - id: test
    algorithm: ecdsap256sha256
    single-type-signing: on
template:
  - id: default
    storage: {folder}
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: difference-no-serial
    journal-content: all
zone:
  - domain: {zone}
    dnssec-signing: on
    dnssec-policy: test
    acl: portal
control:
    listen: {folder / "knot.sock"}
log:
  - target: {folder / "knotd.log"}
    any: info
"""
        )

    def start(self, zone_text: str) -> None:
        self.write(zone_text)
        self.process = subprocess.Popen(
            ["knotd", "-c", str(self.config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        wait_for_answer(self.port, self.zone, "DNSKEY")

    def write(self, zone_text: str) -> None:
        (self.folder / f"{self.zone}.zone").write_text(zone_text)

    def reload(self, zone_text: str) -> None:
        """Replace the zone file and have knotd load and re-sign the difference."""
        serial = self.serial()
        self.write(zone_text)
        subprocess.run(
            ["knotc", "-c", str(self.config), "zone-reload", self.zone],
            check=True,
            capture_output=True,
            timeout=30,
        )
        deadline = time.monotonic() + 15
        while self.serial() == serial:
            assert time.monotonic() < deadline, "knotd did not load the changed zone"
            time.sleep(0.1)

    def serial(self) -> int:
        soa = wait_for_answer(self.port, self.zone, "SOA").answer[0][0]
        return int(soa.serial)

    def trust_anchor(self) -> str:
        """The zone's key-signing key, as Unbound's trust-anchor line."""
        answer = wait_for_answer(self.port, self.zone, "DNSKEY").answer[0]
        ksk = next(rdata for rdata in answer if rdata.flags & 0x0001)
        return f"{self.zone}. DNSKEY {ksk.to_text()}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


class Unbound:
    """A validating resolver for the test zone only: stub to knotd, the zone's KSK trusted,
    nothing cached (each check sees the zone as it is now)."""

    def __init__(self, folder: Path, zone: str, knot_port: int, trust_anchor: str) -> None:
        self.port = free_port()
        self.config = folder / "unbound.conf"
        self.config.write_text(
            f"""server:
    interface: 127.0.0.1@{self.port}
    port: {self.port}
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "{folder}"
    pidfile: ""
    use-syslog: no
    logfile: "{folder / "unbound.log"}"
    do-not-query-localhost: no
    do-ip6: no
    module-config: "validator iterator"
    trust-anchor: "{trust_anchor}"
    cache-max-ttl: 0
    cache-max-negative-ttl: 0
    root-hints: ""
stub-zone:
    name: "{zone}"
    stub-addr: 127.0.0.1@{knot_port}
remote-control:
    control-enable: no
"""
        )

    def start(self, probe: str) -> None:
        self.process = subprocess.Popen(
            ["unbound", "-c", str(self.config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        wait_for_answer(self.port, probe, "SOA")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


class DnsPeers:
    """The authoritative server and the validating resolver for one zone."""

    def __init__(self, folder: Path, zone: str) -> None:
        self.folder, self.zone = folder, zone
        self.knot = Knot(folder / "knot", zone)
        self.unbound: Unbound | None = None

    def start(self, snippet: str) -> None:
        self.knot.start(zone_file(self.zone, snippet))
        self.unbound = Unbound(self.folder, self.zone, self.knot.port, self.knot.trust_anchor())
        self.unbound.start(self.zone)

    def reload(self, snippet: str) -> None:
        self.knot.reload(zone_file(self.zone, snippet))

    @property
    def resolver(self) -> str:
        assert self.unbound is not None
        return f"127.0.0.1:{self.unbound.port}"

    @property
    def authoritative(self) -> str:
        return f"127.0.0.1:{self.knot.port}"

    def stop(self) -> None:
        for peer in (self.unbound, self.knot):
            if peer is not None and hasattr(peer, "process"):
                peer.stop()


@pytest.fixture
def dns_peers(tmp_path: Path) -> Iterator[DnsPeers]:
    """Not started yet: the test builds the zone from the portal's export and calls start."""
    require_tools()
    folder = tmp_path / "dns"
    folder.mkdir()
    peers = DnsPeers(folder, "example.com")
    try:
        yield peers
    finally:
        peers.stop()
