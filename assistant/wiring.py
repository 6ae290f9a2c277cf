"""Settings → the assistant's backends. The only place that chooses a generator."""

from __future__ import annotations

from assistant.errors import ConfigurationError
from assistant.generators.chat import ChatEndpoint, ChatGenerator
from assistant.generators.extractive import ExtractiveGenerator
from assistant.generators.fallback import FallbackGenerator
from assistant.protocols import Generator
from assistant.service import AnswerService
from assistant.settings import Settings
from knowledge.wiring import Knowledge

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
    if choice == "mistral":
        endpoint = _mistral(settings)
    elif choice == "openai":
        endpoint = _openai(settings)
    else:
        raise ConfigurationError(
            f"MENTOR_GENERATOR={settings.llm.generator!r} is not one of {', '.join(GENERATORS)}."
        )
    remote = ChatGenerator(
        endpoint,
        timeout_seconds=settings.llm.llm_timeout_seconds,
        max_retries=settings.llm.llm_max_retries,
        backoff_seconds=settings.llm.llm_backoff_seconds,
    )
    return FallbackGenerator(remote, ExtractiveGenerator())


def _mistral(settings: Settings) -> ChatEndpoint:
    if settings.knowledge.mistral_api_key is None:
        raise ConfigurationError("MENTOR_GENERATOR=mistral needs MISTRAL_API_KEY to be set.")
    return ChatEndpoint(
        name="mistral",
        url=f"{settings.knowledge.mistral_base_url.rstrip('/')}/v1/chat/completions",
        model=settings.llm.mistral_model,
        api_key=settings.knowledge.mistral_api_key.get_secret_value(),
    )


def _openai(settings: Settings) -> ChatEndpoint:
    if not settings.llm.openai_base_url or not settings.llm.openai_model:
        raise ConfigurationError(
            "MENTOR_GENERATOR=openai needs MENTOR_OPENAI_BASE_URL (e.g. https://…/v1) and "
            "MENTOR_OPENAI_MODEL to be set (and MENTOR_OPENAI_API_KEY if the endpoint wants one)."
        )
    key = settings.llm.openai_api_key
    return ChatEndpoint(
        name="openai",
        url=f"{settings.llm.openai_base_url.rstrip('/')}/chat/completions",
        model=settings.llm.openai_model,
        api_key=key.get_secret_value() if key is not None else None,
    )


def build_answer_service(settings: Settings, knowledge: Knowledge) -> AnswerService:
    return AnswerService(knowledge, build_generator(settings), settings)
