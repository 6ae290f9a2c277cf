"""Triage of support-desk requests: category, entity, urgency, redacted summary, a drafted
reply with its sources, and similar recent requests. Works offline: the category comes
from our embedder and a small classifier trained on the labelled requests shipped in
``data/requests.jsonl``."""
