from __future__ import annotations

import subprocess
import sys

import pytest

from leadwire.outbox import channel_name


def test_channel_name_is_per_schema_and_refuses_unsafe_names() -> None:
    assert channel_name("drafter") == "leadwire_outbox_drafter"
    with pytest.raises(ValueError, match="schema name"):
        channel_name('drafter"; NOTIFY x; --')


def test_the_outbox_does_not_import_its_relay() -> None:
    # writers (every service handler) must not pull in the publisher and its AMQP stack
    code = "import sys, leadwire.outbox; print('leadwire.relay' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
