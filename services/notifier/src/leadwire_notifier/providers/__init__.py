"""Adapters to outside systems: Slack's webhooks and oauth's client.secrets RPC."""
