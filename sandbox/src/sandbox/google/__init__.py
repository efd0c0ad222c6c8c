"""The Google side of the sandbox: OAuth 2.0, OIDC keys, Gmail API v1, Pub/Sub push."""

from sandbox.google.fake import GoogleFake

__all__ = ["GoogleFake"]
