"""Errors of the knowledge layer. Edges (CLI, HTTP) translate them; nothing else does."""


class KnowledgeError(Exception):
    """Base class: the message is meant for a person and says what to do."""


class ModelNotProvisionedError(KnowledgeError):
    pass


class ModelIntegrityError(KnowledgeError):
    pass


class StoreLockedError(KnowledgeError):
    pass


class StoreUnavailableError(KnowledgeError):
    pass


class IndexMismatchError(KnowledgeError):
    """The index was built with another embedding model than the one configured."""
