"""`python -m sandbox` / `leadwire-sandbox`: serve every fake provider over TLS on one port."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import uvicorn

from sandbox.app import create_app
from sandbox.config import SandboxConfig
from sandbox.tls import make_certs


def parse_args(argv: list[str] | None = None) -> tuple[tuple[str, ...], SandboxConfig]:
    defaults = SandboxConfig()
    parser = argparse.ArgumentParser(prog="leadwire-sandbox", description=__doc__)
    parser.add_argument("--host", default=defaults.host)
    parser.add_argument("--port", type=int, default=defaults.port)
    parser.add_argument("--cert-dir", type=Path, default=defaults.cert_dir)
    parser.add_argument(
        "--public-base-url", default=None, help="URL clients use, if not https://host:port"
    )
    parser.add_argument(
        "--hostname",
        action="append",
        default=[],
        help="extra name for the TLS certificate (repeatable), e.g. a docker-compose service",
    )
    parser.add_argument("--push-endpoint", default=None, help="Gmail Pub/Sub push target URL")
    parser.add_argument("--push-audience", default=None, help="aud of push OIDC tokens")
    parser.add_argument("--push-service-account", default=defaults.push_service_account)
    parser.add_argument(
        "--token-lifetime",
        type=int,
        default=defaults.access_token_lifetime,
        help="access token lifetime in seconds",
    )
    parser.add_argument("--history-retention", type=int, default=defaults.history_retention)
    args = parser.parse_args(argv)
    return tuple(args.hostname), SandboxConfig(
        host=args.host,
        port=args.port,
        cert_dir=args.cert_dir,
        public_base_url=args.public_base_url,
        push_endpoint=args.push_endpoint,
        push_audience=args.push_audience,
        push_service_account=args.push_service_account,
        access_token_lifetime=args.token_lifetime,
        history_retention=args.history_retention,
    )


def main(argv: list[str] | None = None) -> None:
    hostnames, config = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    certs = make_certs(config.cert_dir, hostnames)
    print(f"sandbox base URL: {config.base_url}", flush=True)
    print(f"sandbox CA bundle (PROVIDER_CA_BUNDLE): {certs.ca_path}", flush=True)
    uvicorn.run(
        create_app(config),
        host=config.host,
        port=config.port,
        ssl_certfile=str(certs.cert_path),
        ssl_keyfile=str(certs.key_path),
        log_level="warning",
        timeout_graceful_shutdown=3,
    )


if __name__ == "__main__":
    main()
