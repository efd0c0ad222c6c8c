"""`make stack`: run sandbox + services + gateway until Ctrl-C."""

from __future__ import annotations

import asyncio
import signal
import time

from stack import Stack, StackConfig, ensure_database


def main() -> None:
    config = StackConfig()
    asyncio.run(ensure_database(config))
    stack = Stack(config)
    try:
        stack.start()
        print(f"Leadwire is up: gateway {config.public_url}, sandbox {config.sandbox_url}")
        print(f"admin / {config.secrets['ADMIN_PASSWORD']} (from .run/secrets.env); Ctrl-C stops")
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
