pytest_plugins = ["leadwire.testing"]
