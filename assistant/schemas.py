"""Request and response models of the HTTP API: the OpenAPI spec is generated from these."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from assistant.types import Answer, Citation, Confidence, RefusalReason
from knowledge.types import Hit, Kind

PROBLEM_MEDIA_TYPE = "application/problem+json"

Message = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class ChatRequest(BaseModel):
    # Unknown fields are dropped: the widget may send display-only ones (e.g. `session`),
    # and the scope comes from the token alone, so nothing here can widen it.
    model_config = ConfigDict(extra="ignore")

    message: Message = Field(description="La question de l'apprenant.")
    conversation_id: Identifier | None = Field(
        default=None,
        description="Conversation à poursuivre; inconnue ou d'un autre utilisateur, "
        "une nouvelle conversation commence.",
    )


class CitationOut(BaseModel):
    index: int = Field(description="Numéro cité dans la réponse sous la forme [n].")
    title: str
    url: str | None
    source: str
    passage: str
    document_id: str
    page: int | None
    kind: str

    @classmethod
    def of(cls, citation: Citation) -> CitationOut:
        return cls(
            index=citation.index,
            title=citation.title,
            url=citation.url,
            source=citation.source,
            passage=citation.passage,
            document_id=citation.document_id,
            page=citation.page,
            kind=citation.kind,
        )


class Escalation(BaseModel):
    suggested: bool
    url: str
    message: str


class ChatResponse(BaseModel):
    answer: str = Field(description="Réponse en Markdown, sources citées sous la forme [n].")
    citations: list[CitationOut] = Field(
        description=(
            "Sources numérotées de la réponse ; pour un refus, les pages proches proposées à "
            "la consultation ou la section du cours à réviser, sans réponse tirée d'elles."
        )
    )
    conversation_id: str
    answer_id: str = Field(description="À renvoyer avec un avis (`POST /api/feedback`).")
    refused: RefusalReason | None = Field(description="Motif du refus, ou null.")
    confidence: Confidence | None = Field(
        default=None,
        description=(
            "`high` : réponse sûre ; `low` : réponse donnée avec réserve (la source est citée "
            "et le support proposé) ; null pour un refus."
        ),
    )
    escalation: Escalation | None = Field(description="Renvoi vers le support, ou null.")
    related: list[CitationOut] = Field(
        default_factory=list,
        description=(
            "Questions de la FAQ presque aussi proches que celle qui répond, que la réponse ne "
            "cite pas : à proposer comme questions voisines (vide pour un refus)."
        ),
    )

    @classmethod
    def of(
        cls, answer: Answer, conversation_id: str, answer_id: str, support_url: str
    ) -> ChatResponse:
        escalation = (
            Escalation(
                suggested=True,
                url=support_url,
                message="L'équipe support de Mentor peut vous aider : contactez-la via ce lien.",
            )
            if answer.escalation
            else None
        )
        return cls(
            answer=answer.text,
            citations=[CitationOut.of(citation) for citation in answer.citations],
            conversation_id=conversation_id,
            answer_id=answer_id,
            refused=answer.refused,
            confidence=answer.confidence,
            escalation=escalation,
            related=[CitationOut.of(citation) for citation in answer.related],
        )


class TokenChunk(BaseModel):
    text: str


class StreamError(BaseModel):
    message: str


class SearchHit(BaseModel):
    document_id: str
    chunk_id: str
    title: str
    url: str | None
    source: str
    passage: str
    page: int | None
    kind: str
    collection: str
    session_ids: list[str]
    score: float

    @classmethod
    def of(cls, hit: Hit) -> SearchHit:
        chunk = hit.chunk
        return cls(
            document_id=chunk.document_id,
            chunk_id=chunk.chunk_id,
            title=chunk.title,
            url=chunk.url,
            source=chunk.source,
            passage=chunk.text,
            page=chunk.page,
            kind=chunk.kind.value,
            collection=chunk.collection,
            session_ids=list(chunk.session_ids),
            score=hit.score,
        )


class SearchResponse(BaseModel):
    hits: list[SearchHit]


class FeedbackRequest(BaseModel):
    answer_id: Identifier
    rating: Literal["up", "down"]
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


class IndexHealth(BaseModel):
    reachable: bool
    chunks: int | None


class HealthResponse(BaseModel):
    status: Literal["ok", "unavailable"]
    index: IndexHealth
    embedding_model: str
    generator: str


class ReindexRequest(BaseModel):
    paths: list[Annotated[str, StringConstraints(min_length=1, max_length=1000)]] = Field(
        default_factory=list,
        max_length=100,
        description="Dossiers ou fichiers sous les racines autorisées (MENTOR_INGEST_ROOTS); "
        "vide : toutes les racines (sans racine configurée, le corpus d'exemple).",
    )
    collection: str | None = Field(None, max_length=200, description="Collection appliquée.")
    session: str | None = Field(
        None, max_length=256, description="Session : les documents lui sont réservés."
    )
    kind: Kind | None = Field(None, description="Nature appliquée aux documents.")
    moodle_url: str | None = Field(
        None,
        max_length=1000,
        description="Synchroniser ce site Moodle plutôt que des dossiers : ce doit être celui "
        "du service (MENTOR_MOODLE_URL), dont il emploie son propre jeton.",
    )
    courses: list[Annotated[str, StringConstraints(min_length=1, max_length=256)]] = Field(
        default_factory=list,
        max_length=1000,
        description="Avec moodle_url : seulement ces cours (leur identifiant de session).",
    )


class MoodleEvent(BaseModel):
    """What the plugin's ad-hoc task sends: which course (and module) changed."""

    event: str = Field(max_length=200, description="Nom de l'événement Moodle, ou full_sync.")
    courseid: int | None = Field(None, ge=1, description="Cours modifié.")
    cmid: int | None = Field(None, ge=1, description="Module de cours modifié, s'il y en a un.")


class MoodleEventsStatus(BaseModel):
    pending: int = Field(description="Cours (ou synchronisation complète) en attente.")
    batches: int = Field(description="Lots d'événements traités depuis le démarrage.")
    last_indexed: int = 0
    last_removed: int = 0
    last_failures: list[str] = Field(default_factory=list)
    last_seconds: float | None = None
    last_latency_seconds: float | None = Field(
        None, description="Du premier événement reçu du lot à son contenu cherchable."
    )
    last_finished_at: float | None = Field(None, description="Heure Unix de fin du dernier lot.")


class ReindexStatus(BaseModel):
    state: Literal["idle", "running", "done", "failed"]
    indexed: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: int = 0
    failures: list[str] = Field(
        default_factory=list, description="« source — raison » des sources en échec."
    )
    flagged: list[str] = Field(
        default_factory=list,
        description="« source — documents » contenant des consignes adressées à l'assistant.",
    )
    detail: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details; ``detail`` is French and safe to show."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str


class InvalidField(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationProblem(Problem):
    errors: list[InvalidField]


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for error statuses, served as ``application/problem+json``."""
    descriptions = {
        400: "Requête refusée",
        401: "Jeton absent, invalide ou expiré",
        403: "Rôle insuffisant",
        404: "Ressource introuvable",
        409: "Conflit avec une opération en cours",
        422: "Corps ou paramètres invalides",
        429: "Trop de requêtes; l'en-tête Retry-After donne le délai en secondes",
        503: "Index indisponible",
    }
    headers = {
        401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
        429: {"Retry-After": {"description": "Secondes à attendre", "schema": {"type": "integer"}}},
    }
    return {
        status: {
            "description": descriptions[status],
            "headers": headers.get(status, {}),
            "content": {
                PROBLEM_MEDIA_TYPE: {
                    "schema": {
                        "$ref": "#/components/schemas/"
                        + ("ValidationProblem" if status == 422 else "Problem")
                    }
                }
            },
        }
        for status in statuses
    }


class ConnectionOut(BaseModel):
    role: str = Field(description="Le rôle que porte le jeton.")
    sessions: int = Field(description="Le nombre de sessions que le jeton ouvre.")
    issuer_checked: bool = Field(
        description="Vrai quand le service vérifie l'émetteur (MENTOR_JWT_ISSUER)."
    )


class ErasureRequest(BaseModel):
    user_id: Annotated[str, StringConstraints(min_length=1, max_length=256)] = Field(
        description="L'identifiant (sub, un pseudonyme) des jetons de l'utilisateur."
    )


class ErasureOut(BaseModel):
    conversations: int
    messages: int
    feedback: int
