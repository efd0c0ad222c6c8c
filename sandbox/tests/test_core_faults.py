"""Fault injection through the control API, seen by the official Gmail client and httpx."""

from __future__ import annotations

import time

import pytest
from googleapiclient.errors import HttpError

from sandbox.faults import FaultRegistry


def test_429_with_retry_after_on_a_gmail_route_then_recovers(sandbox, gmail_account):
    gmail, _ = gmail_account()
    rule = sandbox.add_fault(
        path="/gmail/v1/users/me/profile", method="GET", status=429, retry_after=7, count=1
    )
    with pytest.raises(HttpError) as err:
        gmail.users().getProfile(userId="me").execute()
    assert err.value.resp.status == 429 and err.value.resp["retry-after"] == "7"
    assert err.value.error_details[0]["reason"] == "rateLimitExceeded"
    assert gmail.users().getProfile(userId="me").execute()["emailAddress"] == "owner@acme.test"
    [listed] = sandbox.control.get("/_sandbox/faults").json()
    assert listed["id"] == rule["id"] and listed["hits"] == 1 and listed["count"] == 0


def test_5xx_body_takes_the_provider_shape(sandbox):
    sandbox.add_fault(path_regex=r"^/(gmail|v1\.0)/", status=503)
    google = sandbox.control.get("/gmail/v1/users/me/messages")
    assert google.status_code == 503 and google.json()["error"]["status"] == "UNAVAILABLE"
    graph = sandbox.control.get("/v1.0/me/messages")
    assert graph.status_code == 503 and graph.json()["error"]["code"] == "serviceNotAvailable"


def test_latency_only_rule_slows_the_real_answer(sandbox):
    sandbox.add_fault(path="/oauth2/v3/certs", latency_ms=150)
    started = time.monotonic()
    resp = sandbox.control.get("/oauth2/v3/certs")
    assert resp.status_code == 200 and "keys" in resp.json()
    assert time.monotonic() - started >= 0.15


def test_timeout_rule_hangs_then_504(sandbox):
    sandbox.add_fault(path="/token", method="POST", timeout_seconds=0.2)
    started = time.monotonic()
    resp = sandbox.control.post("/token", data={"grant_type": "refresh_token"})
    assert resp.status_code == 504 and time.monotonic() - started >= 0.2
    assert resp.json()["error"]["status"] == "DEADLINE_EXCEEDED"


def test_ratio_affects_about_that_share_of_requests():
    registry = FaultRegistry()
    registry.add(path="/x", status=500, ratio=0.3)
    hits = sum(registry.pick("GET", "/x/y") is not None for _ in range(2000))
    assert 450 < hits < 750


def test_control_paths_are_never_faulted_and_faults_can_be_deleted(sandbox):
    sandbox.add_fault(path_regex=".*", status=500)
    assert sandbox.control.get("/_sandbox/health").status_code == 200
    assert sandbox.control.get("/oauth2/v3/certs").status_code == 500
    assert sandbox.control.delete("/_sandbox/faults").status_code == 200
    assert sandbox.control.get("/oauth2/v3/certs").status_code == 200


def test_bad_fault_specs_are_400(sandbox):
    assert sandbox.control.post("/_sandbox/faults", json={"status": 429}).status_code == 400
    assert sandbox.control.post("/_sandbox/faults", json={"path": "/x"}).status_code == 400
    resp = sandbox.control.post("/_sandbox/faults", json={"path": "/x", "status": 1, "oops": 1})
    assert resp.status_code == 400 and "oops" in resp.text
    assert sandbox.control.delete("/_sandbox/faults/999").status_code == 404
