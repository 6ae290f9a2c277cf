"""Errors of the assistant. Routers turn them into RFC 9457 problems, the CLI into messages."""


class AssistantError(Exception):
    """Base class; the message is French and safe to show to a learner."""


class GeneratorError(AssistantError):
    """The LLM backend failed (timeout, 429/5xx after retries, broken stream)."""


class AuthError(AssistantError):
    pass


class ForbiddenError(AssistantError):
    """A valid token without the role the route needs."""


class RateLimitedError(AssistantError):
    def __init__(self, retry_after: int) -> None:
        super().__init__("Trop de questions en peu de temps : réessayez dans un instant.")
        self.retry_after = retry_after


class ConfigurationError(AssistantError):
    pass
