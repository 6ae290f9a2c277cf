"""The widget: its bundle size gzipped, and the time from inserting its script tag into a
host page to an interactive launcher, in headless Chromium (Debian's, via Playwright).

The service runs on loopback; the host page comes from another loopback server (a fake
LMS, another origin), and every run uses a fresh browser context, so a cold cache: the time
includes fetching the script and its stylesheet over loopback.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import SecretStr

from assistant.app import create_app
from assistant.auth import Role, mint_token
from bench.common import arguments, bench_settings, print_table, write
from bench.loopback import free_port, serving
from widget import build_assets

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
RUNS, QUICK_RUNS = 20, 5
SECRET = "bench-" + "w" * 40

# Inserts the documented tag at a known instant, then watches (one check per frame) for
# the launcher inside the widget's shadow root to be rendered and clickable.
PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Cours</title></head>
<body><main><h1>Cours</h1></main><script>
window.__t0 = performance.now();
const tag = document.createElement("script");
tag.src = "{service}/widget/mentor-assistant.js";
tag.dataset.token = "{token}";
tag.dataset.session = "laicite-2025";
document.body.appendChild(tag);
(function watch() {{
  const root = document.querySelector("mentor-assistant")?.shadowRoot;
  const launcher = root?.querySelector(".launcher");
  if (launcher && launcher.checkVisibility() && !launcher.disabled) {{
    window.__interactive_ms = performance.now() - window.__t0;
  }} else {{
    requestAnimationFrame(watch);
  }}
}})();
</script></body></html>"""


def host_site(html: str) -> Any:
    """The fake LMS: every path is the course page."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        headers = [(b"content-type", b"text/html; charset=utf-8"), (b"cache-control", b"no-store")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": html.encode()})

    return app


def launcher_times(host: str, runs: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            for _ in range(runs + 1):
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{host}/cours")
                page.wait_for_function("window.__interactive_ms !== undefined", timeout=30_000)
                times.append(float(page.evaluate("window.__interactive_ms")))
                context.close()
        finally:
            browser.close()
    return times[1:]  # the first run also pays the browser's own warm-up


def main() -> None:
    args = arguments(__doc__ or "")
    assets = build_assets()
    sizes = {
        "script_bytes": len(assets.script.body),
        "script_gzip_bytes": len(assets.script.gzipped),
        "stylesheet_gzip_bytes": len(assets.stylesheet.gzipped),
    }
    result: dict[str, Any] = {
        "benchmark": "widget",
        "quick": args.quick,
        # What a host page downloads: the script, then the stylesheet it links.
        "gzip_bytes": sizes["script_gzip_bytes"] + sizes["stylesheet_gzip_bytes"],
        **sizes,
    }
    if CHROMIUM.exists():
        with tempfile.TemporaryDirectory() as scratch:
            host_port = free_port()
            host = f"http://127.0.0.1:{host_port}"
            settings = bench_settings(Path(scratch), "lite")
            section = settings.service.model_copy(
                update={"cors_origins": [host], "jwt_secret": SecretStr(SECRET)}
            )
            settings = settings.model_copy(update={"service": section})
            token = mint_token(settings, "bench", ["laicite-2025"], Role.LEARNER)
            with serving(create_app(settings)) as service:
                html = PAGE.format(service=service, token=token)
                with serving(host_site(html), port=host_port, lifespan="off"):
                    times = launcher_times(host, QUICK_RUNS if args.quick else RUNS)
        p50, p95 = np.percentile(times, [50, 95])
        result.update(
            {"runs": len(times), "interactive_p50_ms": float(p50), "interactive_p95_ms": float(p95)}
        )
    else:
        result["interactive"] = f"skipped: {CHROMIUM} not found"
    print_table(
        "Widget",
        ["gzip bytes (script + css)", "script raw", "to interactive p50 ms", "p95 ms"],
        [
            [result["gzip_bytes"], sizes["script_bytes"],
             result.get("interactive_p50_ms", "—"), result.get("interactive_p95_ms", "—")]
        ],
    )  # fmt: skip
    write(args.output, result)


if __name__ == "__main__":
    main()
