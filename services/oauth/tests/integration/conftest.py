from leadwire_oauth.testing import oauth  # noqa: F401
from sandbox.testing import sandbox, sandbox_session  # noqa: F401
