"""A short summary of a request, personal data removed: what the desk's list shows and what
may be stored or sent to the desk's own tool."""

from __future__ import annotations

import re

from assistant.privacy import redact

MAX_SUMMARY_CHARS = 280
# A sign-off and what follows it (name, title, phone) say who wrote, not what is wrong.
_SIGN_OFF = re.compile(
    r"(?:^|[\s.!,])(?:cordialement|bien (?:a|à) vous|bonne (?:journee|journée)|salutations"
    r"|merci d.avance|merci par avance|bien cordialement)\b.*\Z",
    re.IGNORECASE | re.DOTALL,
)
_GREETING = re.compile(r"\A\s*(?:bonjour|bonsoir|bjr|salut|madame|monsieur)[\s,.!]*", re.I)


def summarize(subject: str, body: str) -> str:
    """Subject, then the body without greeting or signature, redacted and shortened."""
    text = _SIGN_OFF.sub("", body.strip())
    text = _GREETING.sub("", text)
    subject = subject.strip()
    joined = f"{subject} — {text}" if subject and text else subject or text
    joined = redact(" ".join(joined.split()))
    if len(joined) <= MAX_SUMMARY_CHARS:
        return joined
    cut = joined[:MAX_SUMMARY_CHARS].rsplit(" ", 1)[0]
    return f"{cut}…"
