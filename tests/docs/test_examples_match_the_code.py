"""Usage examples in docs and module docstrings are checked against the code, so they
cannot drift: each Python block of docs/writing-a-service.md is the example service's
code verbatim, and each docstring example parses and names only what exists."""

from __future__ import annotations

import ast
import importlib
import re
import textwrap
from pathlib import Path

import pytest

from leadwire.consuming import Consumed
from leadwire.runtime import ServiceRuntime

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "libs/common/tests/example_service"
EXAMPLE_FILES = [
    *EXAMPLE.glob("*.py"),
    ROOT / "libs/common/tests/integration/test_example_service.py",
]
DOCUMENTED_MODULES = [
    "leadwire.runtime",
    "leadwire.consuming",
    "leadwire.outbox",
    "leadwire.inbox",
    "leadwire.jobs",
    "leadwire.events",
    "leadwire.testing.services",
    "leadwire.testing.mailboxes",
]


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in textwrap.dedent(text).strip().splitlines()]


def _python_blocks(markdown: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", markdown, flags=re.S)


@pytest.mark.parametrize(
    "block", _python_blocks((ROOT / "docs/writing-a-service.md").read_text()), ids=lambda b: b[:40]
)
def test_each_guide_block_is_the_example_services_code(block: str) -> None:
    wanted = [line.strip() for line in _lines(block)]
    for path in EXAMPLE_FILES:
        have = [line.strip() for line in path.read_text().splitlines()]
        for start in range(len(have) - len(wanted) + 1):
            if have[start : start + len(wanted)] == wanted:
                return
    pytest.fail(f"this block of docs/writing-a-service.md is in no example file:\n{block}")


def _docstring_examples(module_name: str) -> list[str]:
    doc = importlib.import_module(module_name).__doc__ or ""
    blocks, current = [], []
    for line in doc.splitlines():
        if line.startswith("    ") or (current and not line.strip()):
            current.append(line)
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return [b for b in blocks if b.strip()]


@pytest.mark.parametrize("module_name", DOCUMENTED_MODULES)
def test_docstring_examples_parse_and_name_what_exists(module_name: str) -> None:
    blocks = _docstring_examples(module_name)
    assert blocks, f"{module_name} has no usage example"
    for block in blocks:
        source = textwrap.dedent(block)
        # Examples show fragments: statements with `await`/`...` at top level, decorators
        # over elided bodies. Wrap them in an async function to parse them.
        wrapped = "async def _example():\n" + textwrap.indent(source, "    ") + "\n    pass\n"
        tree = ast.parse(wrapped)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                owner = {"runtime": ServiceRuntime, "event": Consumed}.get(node.value.id)
                if owner is not None:
                    assert hasattr(owner, node.attr), f"{module_name}: {node.value.id}.{node.attr}"
