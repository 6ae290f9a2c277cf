"""`mentor-assistant lti …` through the real console script: manual registration, the tool's
configuration for a platform's form, key rotation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.lti.keys import ToolKeys
from assistant.storage import Platform, Storage
from knowledge.cli import build_app


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_env: None) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("MENTOR_DATA_DIR", str(folder))
    return folder


def test_add_platform_registers_by_hand(data_dir: Path) -> None:
    result = CliRunner().invoke(
        build_app(),
        [
            "lti", "add-platform", "--issuer", "https://moodle.example/",
            "--client-id", "abc", "--deployment-id", "3", "--deployment-id", "4",
            "--auth-url", "https://moodle.example/mod/lti/auth.php",
            "--jwks-url", "https://moodle.example/mod/lti/certs.php",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "https://moodle.example enregistrée" in result.output
    storage = Storage(data_dir / "assistant.sqlite")
    try:
        store = storage.lti_platforms
        assert store.platforms() == [
            Platform(
                "https://moodle.example",
                "abc",
                "https://moodle.example/mod/lti/auth.php",
                "https://moodle.example/mod/lti/certs.php",
            )
        ]
        assert store.deployments("https://moodle.example", "abc") == {"3", "4"}
    finally:
        storage.close()


def test_tool_config_prints_the_urls_a_platform_needs(data_dir: Path) -> None:
    result = CliRunner().invoke(build_app(), ["lti", "tool-config", "https://assistant.example/"])
    assert result.exit_code == 0, result.output
    config = json.loads(result.output)
    assert config["initiate_login_uri"] == "https://assistant.example/lti/login"
    assert config["redirect_uris"] == ["https://assistant.example/lti/launch"]
    assert config["jwks_uri"] == "https://assistant.example/lti/jwks"
    tool = config["https://purl.imsglobal.org/spec/lti-tool-configuration"]
    assert tool["custom_parameters"] == {"session_id": "$Context.sourcedId"}


def test_rotate_key_publishes_the_new_and_the_previous_key(data_dir: Path) -> None:
    first = ToolKeys.in_data_dir(data_dir).current_kid()
    result = CliRunner().invoke(build_app(), ["lti", "rotate-key"])
    assert result.exit_code == 0, result.output
    keys = ToolKeys.in_data_dir(data_dir)
    newest = keys.current_kid()
    assert newest != first and newest in result.output
    assert [key["kid"] for key in keys.jwks()["keys"]] == [first, newest]
