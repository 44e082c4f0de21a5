"""The extraction result (DOMAIN.md §11) and the interface every extractor implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

REQUIRED_FIELDS = ("location", "parties", "phones")


@dataclass
class Extraction:
    is_dispute: bool
    category: str | None = None
    risk: str | None = None
    location: str | None = None
    parties: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    id_numbers: list[str] = field(default_factory=list)
    occurred_at: datetime | None = None
    summary: str | None = None
    amount: int | None = None  # yuan
    head_count: int | None = None
    reasons: list[str] = field(default_factory=list)  # the cues that fired, shown to officers: 红:扬言, 类别:...
    missing: list[str] = field(default_factory=list)

    def contract(self) -> dict[str, Any]:
        """The JSON object of the `jingwu extract` contract."""
        return {
            "is_dispute": self.is_dispute,
            "category": self.category,
            "risk": self.risk,
            "location": self.location,
            "parties": self.parties,
            "phones": self.phones,
            "occurred_at": self.occurred_at.isoformat() if self.occurred_at else None,
            "summary": self.summary,
            "missing": self.missing,
        }


class Extractor(Protocol):
    def extract(self, text: str, sent_at: datetime, area: str | None = None) -> Extraction: ...


class AsyncExtractor(Extractor, Protocol):
    """Both extractors have it; handlers on the event loop should await it (the LLM one does network I/O)."""

    async def aextract(self, text: str, sent_at: datetime, area: str | None = None) -> Extraction: ...

    async def aclose(self) -> None: ...
