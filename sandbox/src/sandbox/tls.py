"""A throwaway CA and a leaf certificate for 127.0.0.1/localhost.

MSAL refuses http:// authorities, so the whole sandbox speaks TLS; services
trust it through PROVIDER_CA_BUNDLE=<ca_path>.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass(frozen=True)
class SandboxCerts:
    ca_path: Path  # CA bundle (PEM) clients trust
    cert_path: Path  # leaf chain the server presents
    key_path: Path

    def server_ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert_path, self.key_path)
        return ctx

    def client_ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_path))


def make_certs(cert_dir: Path, extra_hostnames: tuple[str, ...] = ()) -> SandboxCerts:
    """Create a fresh CA + leaf and write them to cert_dir (overwriting old ones).

    `extra_hostnames` are added to the leaf's names, e.g. "sandbox" when services
    reach it by its docker-compose service name."""
    cert_dir = Path(cert_dir)
    cert_dir.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="Leadwire Sandbox CA")
    leaf = ca.issue_cert("127.0.0.1", "localhost", "::1", *extra_hostnames)
    certs = SandboxCerts(
        ca_path=cert_dir / "sandbox-ca.pem",
        cert_path=cert_dir / "sandbox-server.pem",
        key_path=cert_dir / "sandbox-server.key",
    )
    ca.cert_pem.write_to_path(str(certs.ca_path))
    leaf.private_key_pem.write_to_path(str(certs.key_path))
    with certs.cert_path.open("wb") as fh:
        for blob in leaf.cert_chain_pems:
            fh.write(blob.bytes())
    certs.key_path.chmod(0o600)
    return certs
