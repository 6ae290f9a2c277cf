"""Personal data redaction, for what leaves the machine (remote LLMs) and what is stored (logs).

Patterns favour recall: masking a harmless number costs nothing, leaking a NIR does.
Order matters: e-mails first (they may hold digits), then IBANs and NIRs, whose digit runs
a phone pattern could otherwise take a bite of.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# FR76 3000 6000 0112 3456 7890 189, with or without spaces; other countries alike.
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b", re.I)
# Social security number: sex, year, month (or 20-99 for unknown), department (2A/2B for
# Corsica), commune, order number, optional two-digit key; spaces, dots or dashes allowed.
_NIR = re.compile(
    r"\b[12][ .-]?\d{2}[ .-]?(?:0[1-9]|1[0-2]|[2-9]\d)[ .-]?(?:\d{2}|2[AB])"
    r"[ .-]?\d{3}[ .-]?\d{3}(?:[ .-]?\d{2})?\b",
    re.I,
)
# 06 12 34 56 78, 06.12.34.56.78, 0612345678, +33 6 12 34 56 78, 0033 (0)6 12 34 56 78.
_PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)33[ .-]?(?:\(0\)[ .-]?)?|0)[1-9](?:[ .-]?\d{2}){4}\b")

_REPLACEMENTS = (
    (_EMAIL, "[courriel]"),
    (_IBAN, "[IBAN]"),
    (_NIR, "[numéro de sécurité sociale]"),
    (_PHONE, "[téléphone]"),
)


def redact(text: str) -> str:
    """``text`` with e-mail addresses, IBANs, NIRs and French phone numbers masked."""
    for pattern, replacement in _REPLACEMENTS:
        text = pattern.sub(replacement, text)
    return text
