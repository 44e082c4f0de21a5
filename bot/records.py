"""Dispute records as plain dicts for the CLI's --json and for exports (full details: police use only)."""

from __future__ import annotations

from typing import Any

from bot.domain.lifecycle import STATUS_LABELS, Status
from config.rules import Rules
from storage.models import Dispute, TimelineEvent


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def dispute_to_dict(d: Dispute, rules: Rules, timeline: list[TimelineEvent] | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": d.code,
        "number": d.id,
        "status": d.status,
        "status_label": STATUS_LABELS[Status(d.status)],
        "category": d.category,
        "category_label": rules.categories.by_code(d.category).name,
        "risk": d.risk,
        "colour": rules.risk.colour(d.risk),
        "complexity": d.complexity,
        "level": d.level,
        "summary": d.summary,
        "location": d.location,
        "town": d.town,
        "area": d.area,
        "occurred_at": _iso(d.occurred_at),
        "reported_at": _iso(d.reported_at),
        "reporter": d.reporter.key if d.reporter else None,
        "assignee": d.assignee.key if d.assignee else None,
        "department": d.department,
        "accept_by": _iso(d.accept_by),
        "resolve_by": _iso(d.resolve_by),
        "outcome": d.outcome,
        "reasons": d.reasons,
        "missing": d.missing,
        "parties": [{"name": p.name, "role": p.role, "phone": p.phone} for p in d.parties],
        "sources": [{"platform": s.platform, "chat_id": s.chat_id, "message_id": s.message_id} for s in d.sources],
    }
    if timeline is not None:
        out["timeline"] = [
            {
                "at": _iso(e.at),
                "action": e.action,
                "from": e.from_status,
                "to": e.to_status,
                "actor": e.actor_label,
                "source_message_id": e.source_message_id,
                "detail": e.detail,
            }
            for e in timeline
        ]
    return out
