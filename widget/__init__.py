"""The embeddable chat widget: plain JavaScript and CSS sources, the page templates, and the
Moodle plugin (``widget/moodle``).

There is no build tool. ``build_assets()`` assembles the served files once, when the app is
created: the JavaScript sources are concatenated, in a fixed order, inside one function
scope (so the host page gets no globals), and every file is named by a hash of its content
so that it can be cached for a year.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
SOURCE_DIR = STATIC_DIR / "src"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
MOODLE_PLUGIN_DIR = PACKAGE_DIR / "moodle" / "local_mentorassistant"

# Each file only uses names defined by the files before it.
SCRIPT_SOURCES = (
    "i18n.js",
    "markdown.js",
    "dom.js",
    "store.js",
    "api.js",
    "keyboard.js",
    "view.js",
    "widget.js",
)
STYLESHEET_SOURCE = "mentor-assistant.css"
DEMO_STYLESHEET_SOURCE = "demo.css"
SCRIPT_STEM = "mentor-assistant"
HASH_LENGTH = 12


@dataclass(frozen=True, slots=True)
class Asset:
    name: str
    body: bytes
    gzipped: bytes
    media_type: str

    @property
    def etag(self) -> str:
        return f'"{self.name}"'


@dataclass(frozen=True, slots=True)
class Assets:
    script: Asset
    stylesheet: Asset
    demo_stylesheet: Asset

    @property
    def by_name(self) -> Mapping[str, Asset]:
        """The only files served under /widget/: a lookup table, never a path on disk."""
        return MappingProxyType(
            {asset.name: asset for asset in (self.script, self.stylesheet, self.demo_stylesheet)}
        )


def _asset(stem: str, suffix: str, body: bytes, media_type: str) -> Asset:
    digest = hashlib.sha256(body).hexdigest()[:HASH_LENGTH]
    # mtime=0: the same sources always give the same bytes.
    return Asset(f"{stem}.{digest}.{suffix}", body, gzip.compress(body, 9, mtime=0), media_type)


def build_assets() -> Assets:
    stylesheet = _asset(
        SCRIPT_STEM,
        "css",
        (SOURCE_DIR / STYLESHEET_SOURCE).read_bytes(),
        "text/css; charset=utf-8",
    )
    demo_stylesheet = _asset(
        "demo", "css", (STATIC_DIR / DEMO_STYLESHEET_SOURCE).read_bytes(), "text/css; charset=utf-8"
    )
    parts = [
        "/*! mentor-assistant widget · EUPL-1.2 */",
        "(() => {",
        '"use strict";',
        f"const CSS_FILE = {json.dumps(stylesheet.name)};",
    ]
    for name in SCRIPT_SOURCES:
        parts += [f"// ---- {name}", (SOURCE_DIR / name).read_text(encoding="utf-8").rstrip()]
    parts.append("})();\n")
    script = _asset(SCRIPT_STEM, "js", "\n".join(parts).encode(), "text/javascript; charset=utf-8")
    return Assets(script=script, stylesheet=stylesheet, demo_stylesheet=demo_stylesheet)
