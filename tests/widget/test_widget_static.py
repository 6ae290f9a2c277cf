"""The widget's files and pages over HTTP, and its sources, without a browser."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

import widget
from assistant.app import create_app
from assistant.auth import Role, resolve_secret, verify_token
from assistant.settings import Settings
from tests.conftest import make_settings

BUNDLE_LIMIT_BYTES = 60 * 1024
HOST = "https://moodle.example.gouv.fr"
SOURCES = sorted(widget.SOURCE_DIR.glob("*.js"))


@pytest.fixture(scope="module")
def http_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("widget-http"), demo=True, cors_origins=[HOST])


@pytest.fixture(scope="module")
def client(http_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(http_settings)) as client:
        yield client


@pytest.fixture(scope="module")
def assets() -> widget.Assets:
    return widget.build_assets()


def test_bundle_is_small(assets: widget.Assets):
    size = len(assets.script.gzipped) + len(assets.stylesheet.gzipped)
    print(f"widget bundle: {size} bytes gzipped (script + stylesheet)")
    assert size < BUNDLE_LIMIT_BYTES


def test_served_names_carry_their_content_hash(assets: widget.Assets):
    for asset in (assets.script, assets.stylesheet):
        match = re.fullmatch(r"mentor-assistant\.([0-9a-f]{12})\.(js|css)", asset.name)
        assert match, asset.name
        assert hashlib.sha256(asset.body).hexdigest().startswith(match.group(1))
        assert gzip.decompress(asset.gzipped) == asset.body
    # The script asks for the stylesheet by its hashed name: one release, one pair of files.
    assert f'"{assets.stylesheet.name}"'.encode() in assets.script.body
    assert widget.build_assets() == assets


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.name)
def test_sources_never_evaluate_or_inject_markup(source: Path):
    code = source.read_text(encoding="utf-8")
    forbidden = {
        "eval": r"\beval\s*\(",
        "Function constructor": r"\bnew\s+Function\b|\bFunction\s*\(",
        "string timer": r"set(?:Timeout|Interval)\s*\(\s*['\"`]",
        "innerHTML": r"\.(?:inner|outer)HTML\b",
        "insertAdjacentHTML": r"insertAdjacentHTML",
        "document.write": r"document\.write",
        "createContextualFragment": r"createContextualFragment",
        "DOMParser": r"\bDOMParser\b",
        "style attribute": r"setAttribute\(\s*['\"]style|\.style\.",
        "javascript: URL": r"['\"`]javascript:",
    }
    found = [name for name, pattern in forbidden.items() if re.search(pattern, code)]
    assert not found, f"{source.name}: {found}"


def test_message_catalogue_is_complete_in_both_languages():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (scripts/install-browser.sh needs it too)")
    script = (widget.SOURCE_DIR / "i18n.js").read_text(encoding="utf-8") + (
        "\nconsole.log(JSON.stringify(Object.fromEntries("
        "Object.entries(MESSAGES).map(([lang, m]) => [lang, Object.keys(m).sort()]))));"
    )
    keys = json.loads(subprocess.run([node, "-e", script], capture_output=True, check=True).stdout)
    assert keys["fr"] == keys["en"]


def test_hashed_files_are_cached_for_a_year(client: TestClient, assets: widget.Assets):
    for asset in (assets.script, assets.stylesheet):
        response = client.get(f"/widget/{asset.name}")
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.content == asset.body
        revalidated = client.get(
            f"/widget/{asset.name}", headers={"If-None-Match": response.headers["etag"]}
        )
        assert revalidated.status_code == 304
    assert (
        client.get(f"/widget/{assets.script.name}")
        .headers["content-type"]
        .startswith("text/javascript")
    )


def test_gzip_is_served_precompressed(client: TestClient, assets: widget.Assets):
    response = client.get(f"/widget/{assets.script.name}", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == assets.script.body  # httpx decodes it
    head = client.head(f"/widget/{assets.script.name}", headers={"Accept-Encoding": "gzip"})
    assert head.status_code == 200
    assert int(head.headers["content-length"]) == len(assets.script.gzipped)


def test_unhashed_name_redirects_with_a_short_cache(client: TestClient, assets: widget.Assets):
    response = client.get("/widget/mentor-assistant.js", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == assets.script.name
    assert response.headers["cache-control"] == "public, max-age=300"
    assert client.get("/widget/mentor-assistant.js").content == assets.script.body


@pytest.mark.parametrize(
    "path",
    [
        "/widget/../pyproject.toml",
        "/widget/..%2Fpyproject.toml",
        "/widget/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/widget/..%5C..%5Cpyproject.toml",
        "/widget/%2e%2e/assistant/app.py",
        "/widget/src/widget.js",
        "/widget/static/src/widget.js",
        "/widget/widget.js",
        "/widget/i18n.js",
        "/widget/mentor-assistant.css",
        "/widget/package.json",
        "/widget/node_modules/axe-core/axe.min.js",
        "/widget/moodle/local_mentorassistant/settings.php",
        "/widget/templates/demo.html",
        "/widget/mentor-assistant.000000000000.js",
        "/widget/mentor-assistant.js%00.css",
        "/widget//etc/passwd",
    ],
)
def test_nothing_outside_the_whitelist_is_served(client: TestClient, path: str):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 404, path
    assert response.headers["content-type"] == "application/problem+json"


def _csp(response: httpx.Response) -> dict[str, str]:
    header = response.headers["content-security-policy"]
    return dict([*part.strip().split(" ", 1), ""][:2] for part in header.split(";") if part.strip())


def test_demo_page_embeds_the_real_tag_with_a_fresh_learner_token(
    client: TestClient, http_settings: Settings, assets: widget.Assets
):
    response = client.get("/demo")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    page = response.text
    tag = re.search(r"<script ([^>]*)></script>", page)
    assert tag, "no script tag"
    attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', tag.group(1)))
    assert attributes["src"] == f"widget/{assets.script.name}"
    assert attributes["data-session"] == "laicite-2025"
    assert " defer" in tag.group(0)
    secret = resolve_secret(http_settings)
    principal = verify_token(attributes["data-token"], secret, http_settings)
    assert principal.role is Role.LEARNER
    assert principal.session_ids == {"laicite-2025"}
    # The course page lists the sample course's modules.
    assert "La laïcité dans la fonction publique" in page
    assert "Module 2 — La neutralité de l’agent public" in page
    other = client.get("/demo", params={"session": "parcours-manager-2025"})
    assert "Module 3 — Télétravail et management à distance" in other.text


def test_demo_and_frame_pages_are_csp_clean(client: TestClient):
    for path in ("/demo", "/widget/frame"):
        response = client.get(path)
        policy = _csp(response)
        assert policy["default-src"] == "'none'"
        assert policy["script-src"] == "'self'"
        assert policy["style-src"] == "'self'"
        assert policy["require-trusted-types-for"] == "'script'"
        header = response.headers["content-security-policy"]
        assert "unsafe-inline" not in header and "unsafe-eval" not in header
        # Nothing in the markup would need them: no inline script, style or handler.
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text)
        assert not re.search(r"<style\b|\sstyle=|\son\w+=", response.text)
    assert _csp(client.get("/demo"))["frame-ancestors"] == "'none'"
    # The frame may be embedded by the LMS origins the service trusts, and no others.
    assert _csp(client.get("/widget/frame"))["frame-ancestors"] == f"'self' {HOST}"


def test_demo_only_exists_in_demo_mode(tmp_path: Path):
    settings = make_settings(tmp_path, demo=False, jwt_secret="s" * 40)
    with TestClient(create_app(settings)) as client:
        assert client.get("/demo").status_code == 404
        assert client.get("/widget/frame").status_code == 200


def test_demo_refuses_unknown_sessions(client: TestClient):
    assert client.get("/demo", params={"session": "../../etc"}).status_code == 404
    assert client.get("/demo", params={"session": "autre-session"}).status_code == 404


def test_cors_allows_only_the_configured_origins(client: TestClient):
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    allowed = client.options("/api/chat/stream", headers={"Origin": HOST, **preflight})
    assert allowed.headers["access-control-allow-origin"] == HOST
    refused = client.options(
        "/api/chat/stream", headers={"Origin": "https://evil.example", **preflight}
    )
    assert "access-control-allow-origin" not in refused.headers


def test_widget_routes_stay_out_of_the_api_spec(client: TestClient):
    paths = client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith(("/widget", "/demo"))]
