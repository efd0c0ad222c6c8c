"""Each service gets only the variables its settings class declares, from the local stack
(scripts/stack.py) and from docker-compose.yml, and every required one."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

import pytest
import yaml
from pydantic_settings import BaseSettings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {
    "oauth": "leadwire_oauth.settings:OAuthSettings",
    "ingest": "leadwire_ingest.settings:IngestSettings",
    "drafter": "leadwire_drafter.settings:DrafterSettings",
    "sender": "leadwire_sender.settings:SenderSettings",
    "notifier": "leadwire_notifier.settings:NotifierSettings",
}


def settings_class(service: str) -> type[BaseSettings]:
    module, name = SETTINGS[service].split(":")
    cls: type[BaseSettings] = getattr(importlib.import_module(module), name)
    return cls


def declared(service: str) -> set[str]:
    return {name.upper() for name in settings_class(service).model_fields}


def required(service: str) -> set[str]:
    fields = settings_class(service).model_fields
    return {name.upper() for name, field in fields.items() if field.is_required()}


def stack_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("leadwire_stack", ROOT / "scripts/stack.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["leadwire_stack"] = module
    spec.loader.exec_module(module)
    return module


def compose_env(service: str) -> set[str]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return set(compose["services"][service]["environment"])


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_the_local_stack_passes_only_declared_variables(service: str, tmp_path: Path) -> None:
    stack = stack_module()
    config = stack.StackConfig(
        secrets={
            k: "x" for k in ("JWT_SECRET", "STATE_SECRET", "ENCRYPTION_KEYS", "ADMIN_PASSWORD")
        }
    )
    env = set(config.service_env(service, stack.SERVICES[service]))
    assert env - declared(service) == set()
    assert required(service) - env == set()


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_docker_compose_passes_only_declared_variables(service: str) -> None:
    env = compose_env(service)
    assert env - declared(service) == set()
    assert required(service) - env == set()


def test_without_a_gateway_webhooks_go_to_ingest_not_oauth() -> None:
    stack = stack_module()
    config = stack.StackConfig(with_gateway=False, secrets={"JWT_SECRET": "x"})
    assert config.callback_base_url == f"http://127.0.0.1:{stack.SERVICES['ingest']}"
    assert config.service_env("ingest", 8002)["PROVIDER_CALLBACK_BASE_URL"].endswith(":8002")
