"""One service per feature of the HTTP API; the routers only translate HTTP to them.

The answer pipeline is ``assistant.service.AnswerService``; triage, tickets and re-indexing
have theirs in ``assistant/triage`` and ``assistant/reindex.py``.
"""
