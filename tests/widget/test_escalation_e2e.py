"""An escalation end to end, in headless Chromium against the real service: the learner
asks what the knowledge base cannot answer, contacts support from the widget and gets a
ticket number; a support agent signs in to the desk through the URL fragment, finds the
ticket with its triage, and both desk pages pass axe-core."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from assistant.auth import Role, mint_token
from tests.widget.conftest import LiveService
from tests.widget.test_widget_e2e import _demo

WIDGET = "mentor-assistant"
UNANSWERABLE = "Comment me faire rembourser mes frais de transport pour venir en formation ?"
TICKET = re.compile(r"MA-\d{6}")
AXE_TAGS = '["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]'


def _escalate(page: Any, live_service: LiveService) -> str:
    widget = _demo(page, live_service)
    widget.open()
    answer = widget.ask(UNANSWERABLE)
    button = answer.locator(".contact-support")
    assert button.inner_text().strip() == "Contacter le support"
    button.click()
    status = answer.locator(".ticket-status")
    status.wait_for()
    text = status.inner_text()
    assert "transmise à l’équipe support" in text
    found = TICKET.search(text)
    assert found, text
    page.wait_for_function(
        """() => document.querySelector("mentor-assistant").shadowRoot
             .querySelector("[aria-live=polite]").textContent.includes("MA-")"""
    )
    return found.group(0)


def _axe(page: Any, axe_source: str) -> list[str]:
    page.evaluate(axe_source)
    results = page.evaluate(
        f"async () => axe.run(document, {{ runOnly: {{ type: 'tag', values: {AXE_TAGS} }} }})"
    )
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_learner_escalates_and_the_desk_finds_the_ticket(
    page: Any, live_service: LiveService
) -> None:
    reference = _escalate(page, live_service)

    token = mint_token(live_service.settings, "agent-e2e", (), Role.SUPPORT)
    page.goto(f"{live_service.url}/desk/login#token={token}")
    page.wait_for_url(re.compile(r"/desk/tickets$"))
    # The token left the address bar before the form was sent.
    assert "token" not in page.url
    ticket = page.locator("article.ticket", has_text=reference)
    expect_visible = ticket.locator(".reference").first
    expect_visible.wait_for()
    assert "frais de transport" in ticket.inner_text()
    assert "Aucune source suffisante" in ticket.inner_text()

    page.get_by_label("Catégorie").select_option("technique")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"category=technique"))
    assert page.locator("article.ticket", has_text=reference).count() == 0


@pytest.mark.parametrize("path", ["/desk/tickets", "/desk/gaps"])
def test_desk_pages_pass_axe(
    browser: Any, live_service: LiveService, axe_source: str, artifacts: Path, path: str
) -> None:
    # axe injects an inline <style>, which the desk's CSP refuses: bypassed for the scan.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = context.new_page()
    _escalate(page, live_service)
    token = mint_token(live_service.settings, "agent-e2e", (), Role.SUPPORT)
    page.goto(f"{live_service.url}/desk/login#token={token}")
    page.wait_for_url(re.compile(r"/desk/tickets$"))
    page.goto(f"{live_service.url}{path}")
    page.locator("h1").wait_for()
    blocking = _axe(page, axe_source)
    page.screenshot(path=str(artifacts / f"desk-{path.rsplit('/', 1)[-1]}.png"), full_page=True)
    context.close()
    assert not blocking, blocking


def test_login_page_passes_axe_and_reports_a_wrong_token(
    browser: Any, live_service: LiveService, axe_source: str
) -> None:
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    learner = mint_token(live_service.settings, "learner", (), Role.LEARNER)
    page.goto(f"{live_service.url}/desk/login#token={learner}")
    page.get_by_role("alert").wait_for()
    assert "rôle support" in page.get_by_role("alert").inner_text()
    blocking = _axe(page, axe_source)
    context.close()
    assert not blocking, blocking


def test_a_failed_escalation_offers_the_support_page(page: Any, live_service: LiveService) -> None:
    page.route(re.compile(r"/api/tickets$"), lambda route: route.fulfill(status=503, body="{}"))
    widget = _demo(page, live_service)
    widget.open()
    answer = widget.ask(UNANSWERABLE)
    answer.locator(".contact-support").click()
    error = answer.locator(".ticket-status.error")
    error.wait_for()
    assert "n’a pas pu être transmise" in error.inner_text()
    link = answer.get_by_role("link", name=re.compile("Page de contact du support"))
    assert link.get_attribute("href") == live_service.settings.service.support_url
    # The button stays, so the learner can try again.
    assert answer.locator(".contact-support").is_visible()
