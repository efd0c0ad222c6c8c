import json

import pytest
from pydantic import ValidationError

from leadwire_oauth.domain.models import mask_webhook_url
from leadwire_oauth.domain.policy import (
    BusinessHours,
    check_webhook_host,
    unstorable_text,
    validate_origin,
    validate_slack_webhook,
)
from leadwire_oauth.google_secrets import parse_client_secrets


def test_business_hours_reject_unknown_timezone():
    with pytest.raises(ValidationError, match="unknown IANA time zone"):
        BusinessHours(timezone="Mars/Olympus", days=["mon"], start="09:00", end="17:00")


def test_business_hours_reject_start_after_end():
    with pytest.raises(ValidationError, match="start must be before end"):
        BusinessHours(timezone="UTC", days=["mon"], start="18:00", end="09:00")


def test_origin_is_normalised_and_paths_refused():
    assert validate_origin("https://Shop.Example:8443") == "https://shop.example:8443"
    with pytest.raises(ValueError, match="path"):
        validate_origin("https://shop.example/form")


def test_masked_webhook_keeps_only_last_four_characters():
    masked = mask_webhook_url("https://hooks.slack.com/services/T1/B2/secretvalue1234")
    assert masked.endswith("1234")
    assert "secretvalue" not in masked


def test_client_secrets_json_inline_and_file(tmp_path):
    document = {
        "web": {
            "client_id": "id-1",
            "client_secret": "s-1",
            "token_uri": "https://oauth2.googleapis.com/token",
        }
    }
    inline = parse_client_secrets(json.dumps(document))
    path = tmp_path / "client_secret.json"
    path.write_text(json.dumps(document))
    from_file = parse_client_secrets(str(path))
    assert inline == from_file
    assert inline.client_id == "id-1"


def test_client_secrets_without_web_section_is_a_clear_error():
    with pytest.raises(ValueError, match='"web" or "installed"'):
        parse_client_secrets('{"other": {}}')


@pytest.mark.parametrize(
    ("url", "allow_loopback", "ok"),
    [
        ("https://hooks.slack.com/services/T1/B1/x", False, True),
        ("https://127.0.0.1:8900/services/T1/B1/x", True, True),
        ("https://127.0.0.1:8900/services/T1/B1/x", False, False),
        ("https://localhost/services/T1/B1/x", False, False),
        ("https://[::1]/services/T1/B1/x", False, False),
        ("https://169.254.169.254/services/T1/B1/x", True, False),
        ("https://10.1.2.3/services/T1/B1/x", True, False),
        ("https://hooks.slack.com/api/x", False, False),
    ],
)
def test_webhook_hosts_outside_the_allow_list_are_refused(url, allow_loopback, ok):
    try:
        check_webhook_host(url, {"hooks.slack.com"}, allow_loopback=allow_loopback)
        refused = False
    except ValueError:
        refused = True
    assert refused is not ok


def test_webhook_with_credentials_is_refused():
    with pytest.raises(ValueError, match="credentials"):
        validate_slack_webhook("https://u:p@hooks.slack.com/services/T1/B1/x")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"name": "a\x00"}, "name"),
        ({"profile": {"tone": "\udfff"}}, "profile.tone"),
        ({"origins": ["ok", "b\x00"]}, "origins.1"),
        ({"k\x00": "v"}, "k"),
    ],
)
def test_unstorable_text_is_named_by_its_path(body, where):
    problem = unstorable_text(body)
    assert problem is not None and problem.startswith(where.split("\x00")[0])


def test_clean_text_is_storable():
    assert unstorable_text({"name": "Zoë 🚀", "list": [1, None, "ok"]}) is None
