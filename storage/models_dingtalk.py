"""Tables owned by the dingtalk feature (imported by storage.models so that Alembic and the tests see them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class DingTalkStreamLease(Base):
    """Who holds a Stream connection: one row per app, taken by compare-and-set, renewed by its holder."""

    __tablename__ = "dingtalk_stream_leases"
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]
    acquired_at: Mapped[datetime]
    renewed_at: Mapped[datetime]


class DingTalkCard(Base):
    """An interactive card we created: where it went and which record it belongs to, for clicks and updates."""

    __tablename__ = "dingtalk_cards"
    out_track_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    outbox_id: Mapped[int | None]
    chat_id: Mapped[str | None] = mapped_column(String(128))
    user_id: Mapped[str | None] = mapped_column(String(128))
    code: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the cardParamMap last sent
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
