import json

from leadwire.asyncapi import main, write_docs
from leadwire.events import EVENT_TYPES


def test_docs_describe_every_event_on_the_events_exchange(tmp_path):
    paths = write_docs(tmp_path)
    assert tmp_path / "asyncapi.json" in paths
    document = json.loads((tmp_path / "asyncapi.json").read_text())
    assert document["asyncapi"].startswith("3.")
    channels = document["channels"]
    assert {channel["address"] for channel in channels.values()} == set(EVENT_TYPES)
    for channel in channels.values():
        binding = channel["bindings"]["amqp"]
        assert binding["exchange"]["name"] == "leadwire.events"
        assert binding["exchange"]["type"] == "topic"
    schemas = document["components"]["schemas"]
    assert schemas["LeadReceivedEvent"]["properties"]["type"]["const"] == "lead.received"
    assert "LeadReceived" in schemas


def test_module_entry_point_writes_into_the_given_directory(tmp_path, capsys):
    assert main([str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "asyncapi.json").exists()
    assert "wrote" in capsys.readouterr().out
