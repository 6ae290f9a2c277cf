"""Which document URLs may become a link: the one rule every renderer and the loaders share.

A source's ``url`` is written by whoever wrote the file. ``javascript:`` or ``data:`` in an
``href`` runs in the page that shows it, so only web and mail addresses are links; anything
else is refused at ingestion and shown as plain text where an older index still holds it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

LINK_SCHEMES = frozenset({"https", "http", "mailto"})
# Browsers drop these before reading a scheme ("java\tscript:" runs), so the check must too.
_IGNORED_BY_BROWSERS = dict.fromkeys(range(0x21), None) | {0x7F: None}


def is_safe_link(url: str | None) -> bool:
    """True for an absolute https/http/mailto address, false for anything else."""
    if not url:
        return False
    stripped = url.translate(_IGNORED_BY_BROWSERS)
    try:
        parts = urlsplit(stripped)
    except ValueError:
        return False
    if parts.scheme.lower() not in LINK_SCHEMES:
        return False
    return parts.scheme.lower() == "mailto" or bool(parts.netloc)


def safe_link(url: str | None) -> str | None:
    """``url`` when it may be a link, else None."""
    return url if url is not None and is_safe_link(url) else None
