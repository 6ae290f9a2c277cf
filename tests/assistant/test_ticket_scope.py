"""A ticket's drafted reply stays within the learner's scope (issue 10): the draft shown on
the desk and sent in the webhook quotes only what the learner's own token reaches, the
same scope as their answers. Two sessions of the sample corpus: laicite-2025 and the
parcours-manager-2025 that reuses it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.app import create_app
from assistant.settings import Settings
from assistant.storage import Storage
from assistant.wiring import build_runtime
from knowledge.wiring import Knowledge
from tests.assistant.test_api import bearer
from tests.assistant.test_tickets import WEBHOOK_SECRET, Receiver, app_settings, receiver

__all__ = ["receiver"]  # the fixture, shared with the ticket tests

LAICITE = "laicite-2025"
PARCOURS = "parcours-manager-2025"
# Answered by the parcours' own module, which laicite-2025 does not reuse.
QUESTION = "Comment préparer l'entretien professionnel annuel de mes agents ?"


def drafted(
    tmp_path: Path, knowledge: Knowledge, hook: Receiver, sessions: tuple[str, ...]
) -> tuple[dict, dict]:
    """The stored triage of the learner's ticket and the webhook's copy of it."""
    settings: Settings = app_settings(tmp_path, webhook_url=hook.url, webhook_secret=WEBHOOK_SECRET)
    headers = bearer(settings, sessions)
    with TestClient(create_app(settings, build_runtime(settings, knowledge=knowledge))) as client:
        answer = client.post("/api/chat", json={"message": QUESTION}, headers=headers).json()
        created = client.post(
            "/api/tickets",
            json={"answer_id": answer["answer_id"], "session_id": PARCOURS},
            headers=headers,
        )
        assert created.status_code == 201, created.text
    storage = Storage(settings.assistant_db_path)
    try:
        ticket = storage.tickets.get(1)
    finally:
        storage.close()
    assert ticket is not None and ticket.triage is not None
    (_, body), *_ = hook.received
    return ticket.triage, json.loads(body)["ticket"]["triage"]


def quoted_documents(triage: dict) -> set[str]:
    return {citation["document_id"] for citation in triage["citations"]}


@pytest.mark.parametrize(
    "sessions",
    [(), (LAICITE,), (LAICITE, "session-c")],
    ids=["no-session", "laicite-only", "laicite-and-another"],
)
def test_the_draft_never_quotes_a_session_the_learner_is_not_in(
    tmp_path: Path, sample_knowledge: Knowledge, receiver: Receiver, sessions: tuple[str, ...]
) -> None:
    stored, sent = drafted(tmp_path, sample_knowledge, receiver, sessions)

    for triage in (stored, sent):
        assert not any(doc.startswith(PARCOURS) for doc in quoted_documents(triage))
        assert "entretien professionnel" not in (triage["suggested_reply"] or "").lower()
    if not sessions:
        assert not any(doc.startswith(LAICITE) for doc in quoted_documents(stored))


def test_a_learner_of_the_session_gets_a_draft_from_it(
    tmp_path: Path, sample_knowledge: Knowledge, receiver: Receiver
) -> None:
    # The control: the same ticket from a learner of the parcours quotes its module.
    stored, _ = drafted(tmp_path, sample_knowledge, receiver, (PARCOURS,))
    assert any(doc.startswith(PARCOURS) for doc in quoted_documents(stored))
