import json

import pytest
from pydantic import ValidationError

from leadwire_oauth.domain.models import mask_webhook_url
from leadwire_oauth.domain.policy import BusinessHours, validate_origin
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
