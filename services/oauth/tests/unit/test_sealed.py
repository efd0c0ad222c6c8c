import uuid

from leadwire.crypto import aad_for
from leadwire_oauth.domain.sealed import flow_secret_aad, mailbox_token_aad, slack_webhook_aad


def test_associated_data_is_what_stored_ciphertexts_were_sealed_with():
    row = uuid.uuid4()
    assert mailbox_token_aad(row, "access_token") == aad_for("mailboxes", row, "access_token")
    assert mailbox_token_aad(row, "refresh_token") == aad_for("mailboxes", row, "refresh_token")
    assert slack_webhook_aad(row) == aad_for("clients", row, "slack_webhook_url")
    assert flow_secret_aad("nonce") == aad_for("oauth_flows", "nonce", "secret")
    assert mailbox_token_aad(row, "access_token") != mailbox_token_aad(row, "refresh_token")
