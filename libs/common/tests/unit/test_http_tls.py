"""The CA bundle really decides TLS trust (against a loopback TLS server of our own)."""

import http.server
import ssl
import threading

import httpx
import pytest
import trustme

from leadwire.http import create_async_client, requests_session


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    bundle = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    yield f"https://127.0.0.1:{server.server_address[1]}", str(bundle)
    server.shutdown()


async def test_async_client_trusts_the_given_ca_bundle(tls_server):
    url, bundle = tls_server
    async with create_async_client(ca_bundle=bundle, max_retries=0) as client:
        response = await client.get(url + "/")
    assert response.text == "ok"


async def test_async_client_without_the_bundle_refuses_the_unknown_ca(tls_server):
    url, _ = tls_server
    async with create_async_client(max_retries=0) as client:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await client.get(url + "/")


def test_requests_session_uses_the_bundle_despite_requests_ca_bundle(tls_server, monkeypatch):
    url, bundle = tls_server
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    session = requests_session(bundle)
    assert session.get(url + "/", timeout=5).text == "ok"
