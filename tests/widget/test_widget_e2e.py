"""The learner's experience in real headless Chromium, against the real service."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.widget.conftest import LAICITE, PARCOURS, WIDGET, LiveService

pytestmark = pytest.mark.slow

ANSWER_TIMEOUT_MS = 60_000
EXPIRED = (
    "Votre session a expiré. Rechargez la page du cours pour continuer à utiliser l’assistant."
)

# Run inside the page: what the shadow root holds, for checks Playwright locators can't make.
_ACTIVE_ID = """() => {
  const root = document.querySelector("mentor-assistant").shadowRoot;
  const active = root.activeElement;
  return active ? (active.id || active.className || active.tagName) : null;
}"""
_FOCUS_IN_PANEL = """() => {
  const root = document.querySelector("mentor-assistant").shadowRoot;
  return Boolean(root.activeElement) && root.querySelector(".panel").contains(root.activeElement);
}"""
_HOSTILE_MARKUP = """() => {
  const root = document.querySelector("mentor-assistant").shadowRoot;
  const found = [];
  for (const el of root.querySelectorAll(".messages *")) {
    if (["SCRIPT", "IMG", "IFRAME", "OBJECT", "EMBED", "STYLE", "FORM"].includes(el.tagName)) {
      found.push(el.tagName);
    }
    for (const attr of el.attributes) {
      if (attr.name.startsWith("on") || attr.name === "style" || attr.name === "srcdoc") {
        found.push(`${el.tagName}[${attr.name}]`);
      }
    }
    if (el.tagName === "svg" && !el.classList.contains("icon")) found.push("svg");
    if (el.tagName === "A" && !/^(https?:|mailto:)/.test(el.getAttribute("href") || "")) {
      found.push(`A[href=${el.getAttribute("href")}]`);
    }
    if (el.tagName === "A" && (el.target !== "_blank" || el.rel !== "noopener noreferrer")) {
      found.push("A without target/rel");
    }
  }
  return found;
}"""
_WATCH_STREAMING = """() => {
  const root = document.querySelector("mentor-assistant").shadowRoot;
  window.__partialSeen = false;
  new MutationObserver(() => {
    const pending = root.querySelector('.message.assistant[aria-busy="true"] .answer');
    if (pending && pending.textContent.trim() && !pending.querySelector(".thinking")) {
      window.__partialSeen = true;
    }
  }).observe(root, { childList: true, subtree: true, characterData: true });
}"""


# On loopback the whole extractive answer can reach the browser in one read, and then no
# frame is ever painted mid-answer. This paces the real service's stream, one SSE event per
# 15 ms, the way a remote model or a slow network delivers it.
_PACE_STREAM = """(() => {
  const realFetch = window.fetch;
  window.fetch = async (...args) => {
    const response = await realFetch(...args);
    if (!String(args[0]).endsWith("/api/chat/stream") || !response.body) return response;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const encoder = new TextEncoder();
    let buffer = "";
    const paced = new ReadableStream({
      async pull(controller) {
        while (!buffer.includes("\\n\\n")) {
          const { value, done } = await reader.read();
          if (done) {
            if (buffer) controller.enqueue(encoder.encode(buffer));
            buffer = "";
            controller.close();
            return;
          }
          buffer += decoder.decode(value, { stream: true });
        }
        const end = buffer.indexOf("\\n\\n") + 2;
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end);
        await new Promise((resolve) => setTimeout(resolve, 15));
        controller.enqueue(encoder.encode(event));
      },
    });
    return new Response(paced, { status: response.status, headers: response.headers });
  };
})();"""


def expect(locator: Any) -> Any:
    # Imported late: without Playwright the fixtures skip these tests instead of collection
    # failing.
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


class Widget:
    """The widget on one page, seen the way a learner uses it."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.launcher = page.locator(f"{WIDGET} .launcher")
        self.panel = page.locator(f"{WIDGET} .panel")
        self.input = page.locator(f"{WIDGET} #ma-input")
        self.answers = page.locator(f"{WIDGET} .message.assistant:not(.welcome):not([aria-busy])")
        self.notice = page.locator(f"{WIDGET} .notice-box")

    def open(self) -> None:
        self.launcher.click()
        self.panel.wait_for(state="visible")

    def ask(self, question: str) -> Any:
        """Ask and wait for the completed answer (or a notice); returns the last answer."""
        done_before = self.page.locator(f"{WIDGET} .feedback").count()
        self.input.fill(question)
        self.input.press("Enter")
        self.page.wait_for_function(
            """([before]) => {
              const root = document.querySelector("mentor-assistant").shadowRoot;
              return root.querySelectorAll(".feedback").length > before
                || root.querySelector(".notice-box") !== null;
            }""",
            arg=[done_before],
            timeout=ANSWER_TIMEOUT_MS,
        )
        return self.answers.last

    def announced(self) -> str:
        return self.page.locator(f"{WIDGET} [aria-live=polite]").text_content() or ""


def _demo(page: Any, live: LiveService, session: str = LAICITE) -> Widget:
    suffix = "" if session == LAICITE else f"?session={session}"
    page.goto(f"{live.url}/demo{suffix}")
    widget = Widget(page)
    widget.launcher.wait_for(state="visible")
    return widget


def _host_page(
    page: Any, live: LiveService, origin: str, path: str, token: str, lang: str = "fr"
) -> Widget:
    """A course page of the host site (a stand-in for Moodle) with the documented tag; the
    widget in it loads from and talks to the real service, across origins."""
    tag = (
        f'<script src="{live.url}/widget/mentor-assistant.js" '
        f'data-token="{token}" data-session="{LAICITE}" defer></script>'
    )
    live.host.page(
        path,
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>Cours</title>'
        f"</head><body><main><h1>Cours</h1></main>{tag}</body></html>",
    )
    page.goto(f"{origin}{path}")
    widget = Widget(page)
    widget.launcher.wait_for(state="visible")
    return widget


def test_asking_streams_an_answer_with_numbered_sources(page: Any, live_service: LiveService):
    page.add_init_script(_PACE_STREAM)
    widget = _demo(page, live_service)
    assert widget.launcher.inner_text().strip() == "Une question ?"
    assert widget.launcher.get_attribute("aria-expanded") == "false"
    widget.open()
    assert widget.launcher.is_hidden()
    assert page.evaluate(_ACTIVE_ID) == "ma-input"

    page.evaluate(_WATCH_STREAMING)
    with page.expect_response(re.compile(r"/api/chat/stream$")) as streamed:
        answer = widget.ask("Comment télécharger mon attestation de participation ?")
    assert streamed.value.headers["content-type"].startswith("text/event-stream")
    assert page.evaluate("window.__partialSeen"), "the answer was not shown while streaming"

    assert "attestation" in answer.locator(".answer").inner_text()
    inline = answer.locator(".answer a.cite").first
    source = answer.locator(".sources a.source-link").first
    for link in (inline, source):
        assert link.get_attribute("href").startswith("https://mentor.gouv.fr/")
        assert link.get_attribute("target") == "_blank"
        assert link.get_attribute("rel") == "noopener noreferrer"
    assert "(nouvelle fenêtre)" in source.text_content()
    # Announced once, complete, with its sources count: not token by token.
    page.wait_for_function(
        """() => document.querySelector("mentor-assistant").shadowRoot
             .querySelector("[aria-live=polite]").textContent
             .startsWith("Réponse de l’assistant")"""
    )
    assert "source(s) citée(s)" in widget.announced()

    with page.expect_response(re.compile(r"/api/feedback$")) as rated:
        answer.get_by_role("button", name="Oui").click()
    assert rated.value.status == 204
    assert answer.get_by_role("button", name="Oui").get_attribute("aria-pressed") == "true"
    answer.get_by_label("Votre commentaire (facultatif)").fill("Clair et précis.")
    with page.expect_response(re.compile(r"/api/feedback$")) as commented:
        answer.get_by_role("button", name="Envoyer l’avis").click()
    assert commented.value.status == 204
    assert json.loads(commented.value.request.post_data)["comment"] == "Clair et précis."

    # Reloaded, the tab keeps the open panel and the conversation.
    page.reload()
    widget.panel.wait_for(state="visible")
    assert widget.answers.count() == 1
    assert "attestation" in widget.answers.first.inner_text()
    page.locator(f"{WIDGET} .new").click()
    assert widget.answers.count() == 0
    assert page.locator(f"{WIDGET} .welcome").is_visible()


def test_a_refusal_shows_the_pages_it_offers_as_pages_to_look_at(
    page: Any, live_service: LiveService
):
    widget = _demo(page, live_service)
    widget.open()
    # Refused (not close enough to answer), with the page that answers offered.
    answer = widget.ask(
        "il y a une faute dans mon nom de famille sur le certificat, on peut me le refaire ?"
    )
    assert "Je n’ai pas trouvé la réponse" in answer.locator(".answer").inner_text()
    assert answer.locator(".sources-label").inner_text() == "À consulter"
    offered = answer.locator(".sources .source-title")
    assert offered.count() == 1
    # French typesetting puts no-break spaces inside the quotes and before "?".
    said = answer.locator(".answer").inner_text().replace("\u00a0", " ")
    assert f"« {offered.first.inner_text()} »" in said
    assert answer.locator(".escalation").is_visible()
    # The FAQ entry offered is asked as it is written, in one click: answered from it.
    ask = answer.get_by_role("button", name=f"Poser la question « {offered.first.inner_text()} »")
    ask.click()
    widget.answers.nth(1).locator(".sources").wait_for(timeout=ANSWER_TIMEOUT_MS)
    answered = widget.answers.nth(1)
    assert answered.locator(".sources-label").inner_text() == "Sources"
    assert answered.locator(".sources .source-title").first.inner_text() == (
        offered.first.inner_text()
    )
    assert "Je n’ai pas trouvé" not in answered.locator(".answer").inner_text()


def test_an_answer_offers_the_faq_entries_it_leaves_out_as_related_questions(
    page: Any, live_service: LiveService
):
    widget = _demo(page, live_service)
    widget.open()
    answer = widget.ask("je voudrais supprimer mon compte mentor definitivement")
    sources, related = answer.locator(".sources").all()
    assert sources.locator(".source-title").all_inner_texts() == [
        "Comment récupérer mes données ou supprimer mon compte Mentor ?"
    ]
    assert related.locator(".sources-label").inner_text() == "Questions proches"
    # Related questions are no sources: no number an answer's [n] could be taken for.
    assert related.locator(".source-number").count() == 0
    nearby = related.locator(".source-title").first.inner_text()
    related.get_by_role("button", name=f"Poser la question « {nearby} »").click()
    widget.answers.nth(1).locator(".sources").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    answered = widget.answers.nth(1).locator(".sources").first
    assert answered.locator(".source-title").first.inner_text() == nearby


def test_keyboard_only(page: Any, live_service: LiveService):
    widget = _demo(page, live_service)
    # The launcher is the page's last control: one Shift+Tab from the start reaches it.
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(_ACTIVE_ID) == "launcher"
    page.keyboard.press("Enter")
    widget.panel.wait_for(state="visible")
    assert page.evaluate(_ACTIVE_ID) == "ma-input"

    page.keyboard.type("Qu’est-ce que l’obligation de neutralité ?")
    page.keyboard.press("Enter")
    widget.answers.last.locator(".feedback").wait_for(timeout=ANSWER_TIMEOUT_MS)

    # Focus is trapped: Tab and Shift+Tab cycle through the panel and never leave it.
    stops = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        assert page.evaluate(_FOCUS_IN_PANEL)
        stops.add(page.evaluate(_ACTIVE_ID))
    assert {"ma-input", "button tertiary small close"} <= stops
    for _ in range(5):
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(_FOCUS_IN_PANEL)

    # A rating by keyboard.
    page.locator(f"{WIDGET} .rating").first.focus()
    page.keyboard.press("Enter")
    page.locator(f"{WIDGET} .feedback-status").wait_for()

    # Escape closes and gives focus back to the launcher; Enter opens again.
    page.keyboard.press("Escape")
    widget.panel.wait_for(state="hidden")
    assert page.evaluate(_ACTIVE_ID) == "launcher"
    assert widget.launcher.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    widget.panel.wait_for(state="visible")
    assert page.evaluate(_ACTIVE_ID) == "ma-input"


@pytest.mark.parametrize(
    ("name", "viewport"),
    [
        ("desktop", {"width": 1280, "height": 800}),
        ("320px", {"width": 320, "height": 640}),
        # 200 % browser zoom on a 1280×800 screen leaves a 640×400 CSS-pixel viewport.
        ("zoom-200", {"width": 640, "height": 400}),
    ],
)
def test_accessibility_scan_and_screenshots(
    browser: Any,
    live_service: LiveService,
    axe_source: str,
    artifacts: Path,
    name: str,
    viewport: dict[str, int],
):
    # axe adds an inline <style> of its own, which the demo's CSP refuses: CSP is bypassed
    # for this scan only (every other test runs under it and checks for violations).
    context = browser.new_context(viewport=viewport, locale="fr-FR", bypass_csp=True)
    page = context.new_page()
    widget = _demo(page, live_service)
    widget.open()
    answer = widget.ask("Comment contacter le support de Mentor ?")
    answer.get_by_role("button", name="Non").click()
    answer.get_by_label("Votre commentaire (facultatif)").wait_for()

    # The panel fits: nothing overflows sideways, the question field and send button show.
    box = widget.panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert widget.input.is_visible()
    assert page.locator(f"{WIDGET} .send").is_visible()

    page.evaluate(axe_source)
    results = page.evaluate(
        """async () => axe.run(document, { runOnly: { type: "tag", values: [
             "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice",
           ] } })"""
    )
    blocking = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    page.screenshot(path=str(artifacts / f"widget-{name}.png"))
    context.close()
    assert not blocking, blocking


def test_poisoned_document_is_shown_as_text_and_never_runs(page: Any, live_service: LiveService):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    widget = _demo(page, live_service)
    widget.open()
    answer = widget.ask("Où retirer mon badge d’accès au centre de formation ?")
    # Give an <img src=x onerror> the time to fail and fire, had it been created.
    page.wait_for_timeout(500)

    bubble = answer.inner_text()
    assert "bâtiment B" in bubble
    # The payload reached the page, as visible text.
    assert "onerror=" in bubble
    assert page.evaluate(_HOSTILE_MARKUP) == []
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
    # It has no address (ingestion refuses a javascript: one): the source is listed without
    # a link. A javascript: address from an older index is the next test's citation.
    poisoned = answer.locator(".source", has_text="Le badge d’accès")
    assert poisoned.count() >= 1
    assert poisoned.first.locator("a").count() == 0


def test_hostile_markdown_from_the_model_is_neutralised(page: Any, live_service: LiveService):
    """Model output is untrusted too: every known trick, as a streamed answer."""
    hostile = "\n".join(
        [
            "Voici <script>window.__pwned='script'</script>",
            "et <img src=x onerror=window.__pwned=1>.",
            "- [a](javascript:window.__pwned='a') [b](JAVASCRIPT:window.__pwned='b')",
            "- [c]( javascript:alert(1)) [d](java\tscript:alert(1)) [e](data:text/html,x)",
            "- [f](vbscript:x) [g](//evil.example/x) <javascript:alert(1)> [h](/relatif)",
            '- <a href="javascript:alert(1)">i</a> <svg onload=alert(1)> <iframe src=x>',
            "**gras <b onclick=alert(1)>x</b>** et [ok](https://mentor.gouv.fr/faq) [1]",
        ]
    )
    citation = {
        "index": 1,
        "title": "<img src=x onerror=window.__pwned='cite'>",
        "url": "javascript:window.__pwned='cite-url'",
        "source": "x",
        "passage": "x",
        "document_id": "x",
        "page": None,
        "kind": "page",
    }
    done = {
        "answer": hostile,
        "citations": [citation],
        "conversation_id": "c",
        "answer_id": "a",
        "refused": None,
        "escalation": {"suggested": True, "url": "javascript:alert(1)", "message": "<b>x</b>"},
    }
    events = [("citations", [citation]), ("token", {"text": hostile}), ("done", done)]
    body = "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)
    page.route(
        re.compile(r"/api/chat/stream$"),
        lambda route: route.fulfill(status=200, content_type="text/event-stream", body=body),
    )
    widget = _demo(page, live_service)
    widget.open()
    answer = widget.ask("n'importe quoi")
    page.wait_for_timeout(500)

    assert page.evaluate(_HOSTILE_MARKUP) == []
    assert page.evaluate("window.__pwned") is None
    links = answer.locator("a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "https://mentor.gouv.fr/faq"
    ]
    assert "<script>" in answer.inner_text()
    # An escalation whose address is unsafe is dropped rather than linked.
    assert answer.locator(".escalation").count() == 0


@pytest.mark.parametrize("mode", ["iframe", "script-cross-origin"])
def test_expired_token_says_to_reload(page: Any, live_service: LiveService, mode: str):
    expired = live_service.token([LAICITE], ttl=-60)
    if mode == "iframe":
        page.goto(f"{live_service.url}/widget/frame#token={expired}&session={LAICITE}")
        widget = Widget(page)
        widget.panel.wait_for(state="visible")
        # The token is read from the fragment and removed from the address at once.
        assert "token" not in page.url
    else:
        host = live_service.host
        widget = _host_page(page, live_service, host.origin, "/course/view.php?id=1", expired)
        widget.open()
    widget.ask("Comment télécharger mon attestation ?")
    assert widget.notice.inner_text().startswith(EXPIRED)
    assert widget.notice.get_by_role("button", name="Recharger la page").is_visible()
    expect(page.locator(f"{WIDGET} [role=alert]")).to_have_text(EXPIRED)


def test_cross_origin_host_page_gets_answers(page: Any, live_service: LiveService):
    """A Moodle page on an allowed origin embeds the script tag with a server-minted token."""
    token = live_service.token([LAICITE], user="cross-origin")
    origin = live_service.host.origin
    widget = _host_page(page, live_service, origin, "/course/view.php?id=2", token, lang="en")
    # English host page, English widget.
    assert widget.launcher.inner_text().strip() == "Any questions?"
    widget.open()
    answer = widget.ask("Qu’est-ce que la laïcité ?")
    assert answer.locator(".sources a").count() >= 1


def test_origin_not_allowed_by_cors_cannot_use_the_service(page: Any, live_service: LiveService):
    token = live_service.token([LAICITE], user="foreign-origin")
    origin = live_service.host.foreign_origin
    widget = _host_page(page, live_service, origin, "/course/view.php?id=3", token)
    widget.open()
    widget.ask("Qu’est-ce que la laïcité ?")
    assert "Impossible de joindre l’assistant" in widget.notice.inner_text()


def test_a_session_page_never_shows_another_sessions_content(
    context: Any, live_service: LiveService
):
    question = "Quelles sont les six familles de facteurs de risques psychosociaux ?"
    page_b = context.new_page()
    parcours = _demo(page_b, live_service, PARCOURS)
    parcours.open()
    answer_b = parcours.ask(question)
    # Control: the parcours learner does get the parcours module.
    assert answer_b.locator('.sources a[href*="id=2107"]').count() >= 1

    page_a = context.new_page()
    laicite = _demo(page_a, live_service, LAICITE)
    laicite.open()
    # The other session's conversation is not in this page's panel, even in the same browser.
    assert laicite.answers.count() == 0
    answer_a = laicite.ask(question)
    panel_text = laicite.panel.inner_text()
    assert page_a.locator(f'{WIDGET} a[href*="id=2107"]').count() == 0
    assert "Prévenir les risques psychosociaux" not in panel_text
    assert answer_a.locator('a[href*="id=2107"]').count() == 0


def test_offline_rate_limited_and_retry(context: Any, page: Any, live_service: LiveService):
    widget = _demo(page, live_service)
    widget.open()

    context.set_offline(True)
    widget.ask("Comment créer mon compte ?")
    assert "Vous semblez hors ligne" in widget.notice.inner_text()
    context.set_offline(False)
    widget.notice.get_by_role("button", name="Réessayer").click()
    widget.answers.last.locator(".feedback").wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert widget.notice.count() == 0

    # The service's own limiter is covered by the API tests; here, the widget's handling
    # of its answer: the French message, a countdown, then a working retry.
    problem = {"type": "about:blank", "title": "Too Many Requests", "status": 429, "detail": "…"}
    page.route(
        re.compile(r"/api/chat/stream$"),
        lambda route: route.fulfill(
            status=429,
            headers={"Retry-After": "2", "Content-Type": "application/problem+json"},
            body=json.dumps(problem),
        ),
    )
    widget.ask("Et pour l’attestation ?")
    retry = widget.notice.get_by_role("button", name="Réessayer")
    assert re.search(r"réessayer dans [12]\ss", widget.notice.inner_text())
    assert retry.is_disabled()
    page.unroute(re.compile(r"/api/chat/stream$"))
    page.wait_for_function(
        """() => !document.querySelector("mentor-assistant").shadowRoot
             .querySelector(".notice-box button").disabled""",
        timeout=5_000,
    )
    assert "Vous pouvez de nouveau poser une question" in widget.notice.inner_text()
    retry.click()
    widget.answers.nth(1).locator(".feedback").wait_for(timeout=ANSWER_TIMEOUT_MS)
