"""`scripts/demo.py` stops its child processes on SIGTERM, as on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The demo's shape: children started, work, `finally: stop the children`.
CHILD_SCRIPT = """
import subprocess, sys, time
sys.path.insert(0, {scripts!r})
import demo
demo.stop_on_sigterm()
child = subprocess.Popen(["sleep", "60"])
try:
    print(child.pid, flush=True)
    time.sleep(60)
except KeyboardInterrupt:
    pass
finally:
    child.terminate()
    child.wait()
"""


def test_sigterm_runs_the_cleanup_that_stops_the_children():
    script = CHILD_SCRIPT.format(scripts=str(ROOT / "scripts"))
    demo = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert demo.stdout is not None
    child_pid = int(demo.stdout.readline())

    demo.send_signal(signal.SIGTERM)
    demo.wait(timeout=20)

    # The child is gone (reaped by the demo), not orphaned and still sleeping.
    assert not Path(f"/proc/{child_pid}").exists() or _is_zombie(child_pid)


def _is_zombie(pid: int) -> bool:
    time.sleep(0.1)
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().split()[2] == "Z"
