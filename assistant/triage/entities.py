"""The sender's ministry or entity from the domain of the e-mail address.

The table is YAML (``domain: entity``); the longest matching suffix wins, so a direction
can be listed under its ministry's domain. Keys may hold shell wildcards (``ac-*.fr``).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

OUT_OF_SCOPE = "hors périmètre probable"


@dataclass(frozen=True, slots=True)
class Entity:
    name: str | None
    domain: str | None
    # False for an unknown domain: only State agents may use Mentor.
    in_scope: bool

    @property
    def label(self) -> str:
        return self.name if self.name else OUT_OF_SCOPE


class DomainTableError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class DomainTable:
    entries: tuple[tuple[str, str], ...]

    @classmethod
    def load(cls, path: Path | None = None) -> DomainTable:
        """The table at ``path``, or the one shipped with the package."""
        if path is None:
            text = (
                resources.files("assistant.triage")
                .joinpath("data/domains.yaml")
                .read_text(encoding="utf-8")
            )
        else:
            text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
        domains = data.get("domains") if isinstance(data, dict) else None
        if not isinstance(domains, dict):
            raise DomainTableError(f"{path or 'domains.yaml'} : clé « domains » attendue")
        return cls(
            tuple((str(key).lower().strip("."), str(value)) for key, value in domains.items())
        )

    def entity_for(self, email: str | None) -> Entity:
        return self.entity_for_domain(_domain(email))

    def entity_for_domain(self, domain: str | None) -> Entity:
        """The same for a bare domain, as an LMS token carries it (never the address)."""
        domain = domain.strip().strip(".").lower() if domain else None
        if not domain:
            return Entity(None, None, in_scope=False)
        best: tuple[int, str] | None = None
        for pattern, name in self.entries:
            if _matches(domain, pattern) and (best is None or len(pattern) > best[0]):
                best = (len(pattern), name)
        if best is None:
            return Entity(None, domain, in_scope=False)
        return Entity(best[1], domain, in_scope=True)


def _domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].strip().strip(".").lower()
    return domain or None


def _matches(domain: str, pattern: str) -> bool:
    labels = domain.split(".")
    # Every suffix of the domain on a label boundary: a.b.gouv.fr, b.gouv.fr, gouv.fr, fr.
    return any(
        fnmatch.fnmatchcase(".".join(labels[start:]), pattern) for start in range(len(labels))
    )
