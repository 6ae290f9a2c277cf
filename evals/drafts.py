"""Candidate questions drafted from indexed documents, for a designer to review.

Drafts come from the *indexed chunks*, not from the files: the evals never import the
ingestion stage, and a reference context copied from a chunk is by construction what the
assistant can retrieve. A PATH selects what was ingested from that file or folder, a source
as `search --json` prints it (``sample:courses/laicite-2025``), or a document id.

Offline, questions are templated from what the text already marks as questions or topics:
FAQ questions (reworded the way learners type: lower case, no accents), section headings,
and key sentences that state a figure. With MISTRAL_API_KEY, Mistral writes learner-style
questions instead; a snippet it returns is kept only if it really is in the chunk. Every
draft says ``"reviewed": false`` until a designer has checked it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import zip_longest
from pathlib import Path
from typing import Any, TypeVar

from assistant.sentences import split_sentences
from evals.errors import EvalError
from evals.metrics import normalize_snippet
from evals.mistral import MistralChat, MistralError
from knowledge.text import fold_accents, tokens
from knowledge.types import Chunk, Kind

_QUANTITY = re.compile(
    r"\b\d+(?:[,.]\d+)?\s*(%|jours?|heures?|minutes?|mois|ans|semaines?|pages?|questions?"
    r"|caract[eè]res?|crit[eè]res?|tentatives?|Mo|Go)\b",
    re.IGNORECASE,
)
_MAX_CONTEXT_WORDS = 16
T = TypeVar("T")
_INFINITIVE = re.compile(r"^\w+(?:er|ir|re)$")
_QUESTION_WORDS = frozenset(
    "pourquoi comment quand qui que quel quelle quels quelles ou faut-il".split()
)
_NUMBERING = re.compile(r"^(?:Module|Cas|Étape|Partie)\s+\d+\s*[—–:-]\s*")
_LIST_MARK = re.compile(r"^(?:[-*+•]|\d{1,2}[.)])\s+")

DRAFT_SYSTEM_PROMPT = """\
Tu aides une conceptrice de formations de Mentor à écrire un jeu de questions d'évaluation.
À partir du passage fourni, écris des questions qu'un apprenant poserait vraiment à
l'assistant : ton familier, parfois sans accents ou avec une faute de frappe, jamais une
copie du titre. Chaque question doit trouver sa réponse dans le passage.

Réponds uniquement par un objet JSON :
{"questions": [{"question": "...", "context": "extrait copié mot pour mot du passage qui
répond", "answer": "réponse de référence en une ou deux phrases"}]}"""


def select_chunks(chunks: Sequence[Chunk], selectors: Sequence[str]) -> list[Chunk]:
    """The chunks each selector designates, in document then position order."""
    chosen: dict[str, Chunk] = {}
    for selector in selectors:
        prefixes = {selector, Path(selector).resolve().as_uri()}
        matched = [
            chunk
            for chunk in chunks
            if chunk.document_id == selector
            or any(
                chunk.source == prefix or chunk.source.startswith(prefix.rstrip("/") + "/")
                for prefix in prefixes
            )
        ]
        if not matched:
            raise EvalError(
                f"nothing indexed comes from {selector!r}: ingest it first "
                f"(`mentor-assistant ingest {selector}`), or give a document id or a source "
                "as `mentor-assistant search --json` shows them"
            )
        chosen.update((chunk.chunk_id, chunk) for chunk in matched)
    return sorted(chosen.values(), key=lambda c: (c.source, c.document_id, c.position))


def extractive_drafts(chunks: Sequence[Chunk], count: int) -> list[dict[str, Any]]:
    """Up to ``count`` drafts, taken in turn from each document so all are covered; within a
    document, FAQ questions and headings come before key sentences, which read less well."""
    per_document: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for chunk in chunks:
        kinds = per_document.setdefault(chunk.document_id, {"topic": [], "figure": []})
        for kind, draft in _candidates(chunk):
            kinds[kind].append(draft)
    ordered = []
    for kinds in per_document.values():
        unique = {draft["question"]: draft for draft in [*kinds["topic"], *kinds["figure"]]}
        ordered.append(list(unique.values()))
    return _numbered(_round_robin(ordered), count)


async def llm_drafts(
    chat: MistralChat, model: str, chunks: Sequence[Chunk], count: int
) -> list[dict[str, Any]]:
    per_document: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        per_document.setdefault(chunk.document_id, []).append(chunk)
    # One chunk per draft at most, documents in turn.
    picked = list(_round_robin(per_document.values()))[:count]
    drafts: list[dict[str, Any]] = []
    try:
        replies = await asyncio.gather(*(_ask(chat, model, chunk) for chunk in picked))
    finally:
        await chat.aclose()
    for chunk, reply in zip(picked, replies, strict=True):
        drafts.extend(_from_reply(chunk, reply))
    return _numbered(iter(drafts), count)


async def _ask(chat: MistralChat, model: str, chunk: Chunk) -> dict[str, Any]:
    user = f"Titre : {' > '.join([chunk.title, *chunk.heading_path])}\n\nPassage :\n{chunk.text}"
    try:
        return await chat.complete_json(model, DRAFT_SYSTEM_PROMPT, user, temperature=0.7)
    except MistralError:
        return {}


def _from_reply(chunk: Chunk, reply: dict[str, Any]) -> list[dict[str, Any]]:
    found = reply.get("questions")
    drafts = []
    for entry in found if isinstance(found, list) else []:
        if not isinstance(entry, dict) or not str(entry.get("question") or "").strip():
            continue
        context = str(entry.get("context") or "")
        verbatim = bool(context) and normalize_snippet(context) in normalize_snippet(chunk.text)
        drafts.append(
            _draft(
                chunk,
                str(entry["question"]).strip(),
                context if verbatim else None,
                "llm",
                str(entry.get("answer") or "") or None,
            )
        )
    return drafts


def _candidates(chunk: Chunk) -> Iterator[tuple[str, dict[str, Any]]]:
    text = chunk.text.strip()
    if chunk.kind is Kind.FAQ and "?" in text.splitlines()[0]:
        question, _, answer = text.partition("\n")
        draft = _draft(chunk, _learner(question), _first_sentence(answer), "faq", answer.strip())
        yield "topic", draft
        return
    heading = _unnumbered(chunk.heading_path[-1]) if len(chunk.heading_path) > 1 else ""
    if heading and len(set(tokens(heading))) >= 2:
        question = _heading_question(heading, chunk.kind)
        yield "topic", _draft(chunk, question, _first_sentence(text), "titre")
    for sentence in _sentences(text):
        quantity = _QUANTITY.search(sentence)
        if quantity:
            unit = quantity.group(1).lower()
            topic = heading or _unnumbered(chunk.title)
            asked = "quel pourcentage" if unit == "%" else f"combien de {unit}"
            question = _learner(f"{topic} : c'est {asked} ?")
            yield "figure", _draft(chunk, question, _clip(_unlisted(sentence)), "phrase-cle")
            return


def _unnumbered(heading: str) -> str:
    return _NUMBERING.sub("", heading).strip()


def _unlisted(sentence: str) -> str:
    """Without a leading list marker: still a verbatim piece of the chunk."""
    return _LIST_MARK.sub("", sentence.strip())


def _heading_question(heading: str, kind: Kind) -> str:
    first = fold_accents(heading.split()[0].lower())
    if heading.endswith("?"):
        return _learner(heading)
    if first in _QUESTION_WORDS:
        return _learner(f"{heading} ?")
    lowered = f"{heading[0].lower()}{heading[1:]}"
    if _INFINITIVE.match(first):
        return _learner(f"comment {lowered} ?")
    where = {Kind.KIT: "le kit", Kind.COURSE: "le cours"}.get(kind, "la doc")
    return _learner(f"que dit {where} sur {lowered} ?")


def _learner(question: str) -> str:
    """As learners type it: lower case, no accents, straight apostrophes."""
    return fold_accents(question.strip().replace("’", "'")).lower()


def _sentences(text: str) -> list[str]:
    return [sentence for line in text.splitlines() for sentence in split_sentences(line)]


def _first_sentence(text: str) -> str | None:
    for sentence in _sentences(text):
        if len(sentence.split()) >= 4:
            return _clip(_unlisted(sentence))
    return None


def _clip(sentence: str) -> str:
    """A verbatim prefix: short snippets survive re-chunking better than whole sentences."""
    words = sentence.split(" ")
    return sentence if len(words) <= _MAX_CONTEXT_WORDS else " ".join(words[:_MAX_CONTEXT_WORDS])


def _draft(
    chunk: Chunk, question: str, context: str | None, origin: str, answer: str | None = None
) -> dict[str, Any]:
    draft: dict[str, Any] = {"id": "", "question": question}
    if chunk.session_ids:
        draft["scope"] = {"session_ids": [chunk.session_ids[0]]}
    draft["expected_documents"] = [chunk.document_id]
    if context:
        draft["reference_contexts"] = [context]
    if answer:
        draft["reference_answer"] = answer
    draft.update({"should_refuse": False, "tags": ["brouillon", origin], "reviewed": False})
    return draft


def _round_robin(groups: Iterable[list[T]]) -> Iterator[T]:
    for row in zip_longest(*groups):
        yield from (entry for entry in row if entry is not None)


def _numbered(drafts: Iterator[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    numbered = []
    for number, draft in enumerate(drafts, 1):
        if number > count:
            break
        numbered.append({**draft, "id": f"brouillon-{number:03d}"})
    return numbered
