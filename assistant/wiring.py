"""The service's composition root: settings → every part it uses, built once per process.

``build_runtime`` is the only place that builds the assistant's parts; a test or a tool
hands it a different part (a generator that fails, an index already open, a store that is
down) rather than patching one. The only place too that chooses a generator.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

from assistant.auth import resolve_secret
from assistant.errors import ConfigurationError
from assistant.generators.chat import ChatGenerator, MistralClient, OpenAIClient, Transport
from assistant.generators.extractive import ExtractiveGenerator
from assistant.generators.fallback import FallbackGenerator
from assistant.lti.jwks import PlatformKeys
from assistant.lti.keys import ToolKeys
from assistant.lti.service import LtiService
from assistant.moodle_events import MoodleEvents, SignatureCheck
from assistant.protocols import Generator
from assistant.ratelimit import RateLimiter
from assistant.reindex import Reindexer
from assistant.service import AnswerService
from assistant.services.chat import ChatService
from assistant.services.desk import DeskService
from assistant.services.feedback import FeedbackService
from assistant.services.privacy import PrivacyService
from assistant.services.search import SearchService
from assistant.settings import Settings
from assistant.storage import Storage
from assistant.triage.entities import DomainTable
from assistant.triage.service import Triager
from assistant.triage.tickets import TicketDesk
from assistant.webhook import Webhook
from knowledge.wiring import Knowledge, open_knowledge

GENERATORS = ("auto", "extractive", "mistral", "openai")


def build_generator(settings: Settings) -> Generator:
    """``auto``: Mistral when MISTRAL_API_KEY is set, else an OpenAI-compatible endpoint when
    MENTOR_OPENAI_BASE_URL is set, else extractive. Remote backends fall back to extractive."""
    choice = settings.llm.generator.strip().lower()
    if choice == "auto":
        if settings.knowledge.mistral_api_key is not None:
            choice = "mistral"
        elif settings.llm.openai_base_url:
            choice = "openai"
        else:
            choice = "extractive"
    if choice == "extractive":
        return ExtractiveGenerator()
    transport = Transport(
        timeout_seconds=settings.llm.llm_timeout_seconds,
        max_retries=settings.llm.llm_max_retries,
        backoff_seconds=settings.llm.llm_backoff_seconds,
    )
    if choice == "mistral":
        remote = _mistral(settings, transport)
    elif choice == "openai":
        remote = _openai(settings, transport)
    else:
        raise ConfigurationError(
            f"MENTOR_GENERATOR={settings.llm.generator!r} is not one of {', '.join(GENERATORS)}."
        )
    return FallbackGenerator(remote, ExtractiveGenerator())


def _mistral(settings: Settings, transport: Transport) -> ChatGenerator:
    key = settings.knowledge.mistral_api_key
    if key is None:
        raise ConfigurationError("MENTOR_GENERATOR=mistral needs MISTRAL_API_KEY to be set.")
    client = MistralClient(key.get_secret_value(), settings.knowledge.mistral_base_url, transport)
    return ChatGenerator("mistral", settings.llm.mistral_model, client)


def _openai(settings: Settings, transport: Transport) -> ChatGenerator:
    if not settings.llm.openai_base_url or not settings.llm.openai_model:
        raise ConfigurationError(
            "MENTOR_GENERATOR=openai needs MENTOR_OPENAI_BASE_URL (e.g. https://…/v1) and "
            "MENTOR_OPENAI_MODEL to be set (and MENTOR_OPENAI_API_KEY if the endpoint wants one)."
        )
    key = settings.llm.openai_api_key
    client = OpenAIClient(
        key.get_secret_value() if key is not None else None, settings.llm.openai_base_url, transport
    )
    return ChatGenerator("openai", settings.llm.openai_model, client)


def build_answer_service(settings: Settings, knowledge: Knowledge) -> AnswerService:
    return AnswerService(knowledge, build_generator(settings), settings)


def build_storage(settings: Settings) -> Storage:
    return Storage(settings.service.database_url or settings.assistant_db_path)


def build_webhook(settings: Settings) -> Webhook | None:
    """None when no URL is set; a URL without a secret is a configuration error, so that
    no unsigned ticket ever leaves."""
    hook = settings.webhook
    if not hook.url:
        return None
    secret = hook.secret.get_secret_value() if hook.secret else ""
    if len(secret) < 16:
        raise ConfigurationError(
            "MENTOR_WEBHOOK_URL est défini : MENTOR_WEBHOOK_SECRET doit l'être aussi "
            "(au moins 16 caractères) pour signer les tickets envoyés."
        )
    return Webhook(
        hook.url, secret, hook.timeout_seconds, max(1, hook.attempts), hook.backoff_seconds
    )


def build_triager(
    settings: Settings, knowledge: Knowledge, answers: AnswerService, storage: Storage
) -> Triager:
    return Triager(
        knowledge,
        answers,
        storage,
        settings,
        DomainTable.load(settings.triage.domains_file),
    )


@dataclass(frozen=True, slots=True)
class Runtime:
    """Every part the service uses. It owns (and ``aclose`` closes) what ``build_runtime``
    opened; a part handed to it stays its giver's."""

    settings: Settings
    secret: str
    knowledge: Knowledge
    generator: Generator
    storage: Storage
    webhook: Webhook | None
    limiter: RateLimiter
    answers: AnswerService
    chat: ChatService
    search: SearchService
    feedback: FeedbackService
    privacy: PrivacyService
    triager: Triager
    tickets: TicketDesk
    desk: DeskService
    reindexer: Reindexer
    event_signatures: SignatureCheck
    # None when the service follows no Moodle site (MENTOR_MOODLE_URL / MENTOR_MOODLE_TOKEN).
    moodle_events: MoodleEvents | None
    lti: LtiService
    owned: tuple[Knowledge | Storage, ...]
    # The generator when build_runtime made it (its SDK's HTTP client is then ours).
    owned_generator: Generator | None

    async def aclose(self) -> None:
        try:
            if self.owned_generator is not None:
                await self.owned_generator.aclose()
        finally:
            await asyncio.to_thread(self.close)

    def close(self) -> None:
        # A running re-index or batch of events writes to the index: it finishes first.
        self.reindexer.wait()
        if self.moodle_events is not None:
            self.moodle_events.close()
        for part in self.owned:
            part.close()


def build_runtime(
    settings: Settings,
    *,
    knowledge: Knowledge | None = None,
    generator: Generator | None = None,
    storage: Storage | None = None,
) -> Runtime:
    """The parts of ``settings``; ``knowledge``, ``generator`` or ``storage`` replace the
    ones it would build. Fails (ConfigurationError, KnowledgeError) before anything is
    served."""
    secret = resolve_secret(settings)
    webhook = build_webhook(settings)
    limiter = RateLimiter(settings.service.rate_limit_per_minute)
    # One writer of the index at a time: a re-index request or a batch of Moodle events.
    write_lock = threading.Lock()
    moodle = settings.moodle
    follows_moodle = bool(moodle.url and moodle.token_value)
    owned: list[Knowledge | Storage] = []
    try:
        if knowledge is None:
            knowledge = open_knowledge(settings.knowledge)
            owned.append(knowledge)
        if storage is None:
            storage = build_storage(settings)
            owned.append(storage)
        owned_generator = None
        if generator is None:
            generator = owned_generator = build_generator(settings)
        answers = AnswerService(knowledge, generator, settings)
        triager = build_triager(settings, knowledge, answers, storage)
    except BaseException:
        for part in owned:
            part.close()
        raise
    return Runtime(
        settings=settings,
        secret=secret,
        knowledge=knowledge,
        generator=generator,
        storage=storage,
        webhook=webhook,
        limiter=limiter,
        answers=answers,
        chat=ChatService(answers, storage.conversations),
        search=SearchService(knowledge.searcher),
        feedback=FeedbackService(storage.conversations),
        privacy=PrivacyService(storage.conversations),
        triager=triager,
        tickets=TicketDesk(storage, triager, webhook),
        desk=DeskService(
            storage.tickets,
            storage.conversations,
            knowledge.searcher.embedder,
            settings.service.retention_days,
        ),
        reindexer=Reindexer(knowledge, settings, write_lock),
        event_signatures=SignatureCheck(secret, moodle.event_max_age_seconds),
        moodle_events=MoodleEvents(knowledge, settings, write_lock) if follows_moodle else None,
        lti=LtiService(
            settings,
            secret,
            storage.lti_platforms,
            ToolKeys.in_data_dir(settings.knowledge.data_dir),
            PlatformKeys(),
        ),
        owned=tuple(owned),
        owned_generator=owned_generator,
    )
