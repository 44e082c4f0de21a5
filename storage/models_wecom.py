"""Tables owned by the wecom feature (imported by storage.models so that Alembic and the tests see them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class WeComReplyClaim(Base):
    """A single-use reply handle (a 智能机器人 response_url, an app card's response_code) taken by one outbox row.

    WeCom accepts each handle once; the unique hash makes the first row that claims it its only user, across
    retries, restarts and processes. Only a SHA-256 of the handle is kept."""

    __tablename__ = "wecom_reply_claims"
    id: Mapped[int] = mapped_column(primary_key=True)
    handle_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # response_url | response_code
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    claimed_at: Mapped[datetime]
