from leadwire_oauth.testing import oauth  # noqa: F401
