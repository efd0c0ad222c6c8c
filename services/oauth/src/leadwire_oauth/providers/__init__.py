"""Adapters to the OAuth providers, behind one Protocol."""

from leadwire_oauth.providers.base import AuthStart, OAuthProvider

__all__ = ["AuthStart", "OAuthProvider"]
