"""The triage's wire format, shared by `POST /api/triage` and the batch command's JSONL."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from assistant.schemas import CitationOut
from assistant.triage.entities import OUT_OF_SCOPE
from assistant.triage.service import Triage, TriageRequest
from assistant.triage.taxonomy import Category, Urgency
from knowledge.links import safe_link

Subject = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class TriageIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: Short | None = Field(
        default=None, description="Identifiant de la demande chez le support (sinon généré)."
    )
    subject: Subject = Field(default="", description="Objet du message.")
    body: Body = Field(description="Corps du message.")
    email: Short | None = Field(default=None, description="Courriel de l'expéditeur.")
    session_id: Short | None = Field(default=None, description="Session concernée, si connue.")

    def to_request(self) -> TriageRequest:
        return TriageRequest(self.subject, self.body, self.email, self.session_id, self.id)


class EntityOut(BaseModel):
    name: str = Field(description=f"Ministère ou entité, ou « {OUT_OF_SCOPE} ».")
    domain: str | None
    in_scope: bool = Field(description="Faux pour un domaine inconnu : agent hors État ?")


class SimilarOut(BaseModel):
    id: str
    category: Category
    summary: str
    score: float = Field(description="Similarité cosinus avec la demande.")


class TriageOut(BaseModel):
    id: str
    category: Category = Field(description="Code de la taxonomie du support.")
    category_label: str
    confidence: float = Field(description="Probabilité de la catégorie (0 à 1).")
    entity: EntityOut
    urgency: Urgency
    urgency_reasons: list[str]
    summary: str = Field(description="Résumé, données personnelles masquées.")
    suggested_reply: str | None = Field(
        description="Brouillon de réponse sourcé ; null sous le seuil de confiance."
    )
    reply_confidence: float = Field(
        description="Probabilité que les sources trouvées répondent à la demande (0 à 1)."
    )
    citations: list[CitationOut] = Field(
        description="Sources du brouillon, ou à défaut les sources les plus proches."
    )
    similar: list[SimilarOut] = Field(description="Demandes récentes sur le même problème.")

    @classmethod
    def of(cls, triage: Triage) -> TriageOut:
        return cls(
            id=triage.request_id,
            category=triage.category,
            category_label=triage.category.label,
            confidence=triage.confidence,
            entity=EntityOut(
                name=triage.entity.label,
                domain=triage.entity.domain,
                in_scope=triage.entity.in_scope,
            ),
            urgency=triage.urgency.level,
            urgency_reasons=list(triage.urgency.reasons),
            summary=triage.summary,
            suggested_reply=triage.suggested_reply,
            reply_confidence=triage.reply_confidence,
            citations=[CitationOut.of(citation) for citation in triage.citations],
            similar=[
                SimilarOut(
                    id=s.request_id, category=Category(s.category), summary=s.summary, score=s.score
                )
                for s in triage.similar
            ],
        )


class ShownSource(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: Annotated[str, StringConstraints(max_length=300)] = ""
    url: Annotated[str, StringConstraints(max_length=2000)] | None = None

    @field_validator("url")
    @classmethod
    def _web_or_mail(cls, url: str | None) -> str | None:
        # The page sends what it showed; anything but a web or mail address is dropped, so
        # that the ticket, the desk and the webhook never carry a javascript: link.
        return safe_link(url)


class TicketIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    answer_id: Short = Field(description="La réponse après laquelle l'apprenant demande de l'aide.")
    session_id: Short | None = Field(
        default=None, description="Session affichée ; ignorée si le jeton ne la couvre pas."
    )
    sources: list[ShownSource] = Field(
        default=[], max_length=10, description="Sources montrées avec la réponse."
    )


class TicketCreated(BaseModel):
    ticket: str = Field(description="Numéro du ticket, à rappeler au support (MA-000123).")
    message: str
