"""The jobs' queries: claiming due reminders, locking their records, digest markers, outcomes and digest facts."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from jobs.rates import OPEN_STATUSES, DisputeFact, OutcomeFact, RevisitDueFact
from storage.models import Dispute, Group, Person, Reminder
from storage.models_jobs import RevisitOutcome, SentDigest
from storage.uow import UnitOfWork


class JobsStore:
    """Repository for the jobs feature, on the unit of work's transaction."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.session = uow.session

    @property
    def _pg(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    # ---- reminders -------------------------------------------------------------------------------------------

    async def claim_due(self, now: datetime, limit: int, only_risks: Sequence[str] | None = None) -> list[Reminder]:
        """Due pending reminders in due order, locked for this transaction: FOR UPDATE SKIP LOCKED on PostgreSQL,
        so concurrent sweeps take disjoint rows; on SQLite the transaction began IMMEDIATE (one writer).
        `only_risks` (the quiet hours) keeps back reminders of records of any other risk."""
        q = (
            select(Reminder)
            .where(Reminder.status == "pending", Reminder.due_at <= now)
            .order_by(Reminder.due_at, Reminder.id)
            .limit(limit)
        )
        if only_risks is not None:
            q = q.join(Dispute, Dispute.id == Reminder.dispute_id).where(Dispute.risk.in_(list(only_risks)))
        if self._pg:
            q = q.with_for_update(skip_locked=True, of=Reminder)
        return list((await self.session.scalars(q)).all())

    async def pending_due(self, now: datetime) -> int:
        q = select(func.count()).select_from(Reminder).where(Reminder.status == "pending", Reminder.due_at <= now)
        return int((await self.session.execute(q)).scalar_one())

    async def lock_disputes(self, ids: Collection[int]) -> dict[int, Dispute]:
        """The records of a batch, freshly read and (on PostgreSQL) locked in id order, so that two sweeps touching
        the same record queue behind each other instead of failing on its version counter."""
        if not ids:
            return {}
        q = select(Dispute).where(Dispute.id.in_(sorted(ids))).order_by(Dispute.id)
        q = q.execution_options(populate_existing=True)
        if self._pg:
            q = q.with_for_update()
        return {d.id: d for d in (await self.session.scalars(q)).all()}

    async def revisit_cycle_sizes(self, dispute_ids: Collection[int]) -> dict[tuple[int, datetime], int]:
        """How many revisits each plan has: a plan is the revisit rows of one record created together."""
        if not dispute_ids:
            return {}
        q = (
            select(Reminder.dispute_id, Reminder.created_at, func.count())
            .where(Reminder.kind == "revisit", Reminder.dispute_id.in_(sorted(dispute_ids)))
            .group_by(Reminder.dispute_id, Reminder.created_at)
        )
        return {(d, c): int(n) for d, c, n in (await self.session.execute(q)).all()}

    async def mark_failed(self, reminder_id: int, now: datetime, error: str) -> None:
        await self.session.execute(
            update(Reminder)
            .where(Reminder.id == reminder_id)
            .values(status="failed", done_at=now, outcome={"error": error[:300]})
        )

    def add_reminder(self, reminder: Reminder) -> None:
        self.session.add(reminder)

    # ---- digests ---------------------------------------------------------------------------------------------

    async def sent_digest_keys(self, periods: Collection[str]) -> set[tuple[str, str, str]]:
        if not periods:
            return set()
        q = select(SentDigest.station, SentDigest.kind, SentDigest.period).where(SentDigest.period.in_(periods))
        return {(s, k, p) for s, k, p in (await self.session.execute(q)).all()}

    async def claim_digest(self, station: str, kind: str, period: str, due_at: datetime, now: datetime) -> int | None:
        """Insert the marker of one digest; None if it exists (sent already, or being sent by a concurrent
        transaction that will commit it). The caller queues the digest in this same transaction."""
        ins: Any = pg_insert(SentDigest) if self._pg else sqlite_insert(SentDigest)
        stmt = (
            ins.values(station=station, kind=kind, period=period, due_at=due_at, created_at=now)
            .on_conflict_do_nothing(index_elements=["station", "kind", "period"])
            .returning(SentDigest.id)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def link_digest(self, digest_id: int, outbox_id: int) -> None:
        await self.session.execute(update(SentDigest).where(SentDigest.id == digest_id).values(outbox_id=outbox_id))

    async def police_groups(self) -> dict[tuple[str, str], datetime]:
        """Bound police work groups and when they were bound: digests are owed from then on."""
        q = select(Group.platform, Group.chat_id, Group.created_at).where(Group.kind == "police")
        return {(p, c): at for p, c, at in (await self.session.execute(q)).all()}

    # ---- revisit outcomes ------------------------------------------------------------------------------------

    def add_outcome(self, outcome: RevisitOutcome) -> None:
        self.session.add(outcome)

    # ---- facts for digests -----------------------------------------------------------------------------------

    @staticmethod
    def _facts_query() -> Any:
        assignee = aliased(Person)
        return select(
            Dispute.id,
            Dispute.code,
            Dispute.area,
            Dispute.category,
            Dispute.risk,
            Dispute.status,
            Dispute.reported_at,
            Dispute.accept_by,
            Dispute.resolve_by,
            Dispute.resolved_at,
            assignee.name,
        ).outerjoin(assignee, assignee.id == Dispute.assignee_id)

    async def _facts(self, q: Any) -> list[DisputeFact]:
        return [DisputeFact(*row) for row in (await self.session.execute(q.order_by(Dispute.id))).all()]

    async def reported_between(self, start: datetime, end: datetime) -> list[DisputeFact]:
        q = self._facts_query()
        return await self._facts(q.where(Dispute.reported_at >= start, Dispute.reported_at < end))

    async def resolved_between(self, start: datetime, end: datetime) -> list[DisputeFact]:
        q = self._facts_query()
        return await self._facts(q.where(Dispute.resolved_at >= start, Dispute.resolved_at < end))

    async def open_disputes(self) -> list[DisputeFact]:
        q = self._facts_query()
        return await self._facts(q.where(Dispute.status.in_(sorted(OPEN_STATUSES))))

    async def outcomes_between(self, start: datetime, end: datetime) -> list[OutcomeFact]:
        q = (
            select(
                RevisitOutcome.dispute_id,
                Dispute.area,
                RevisitOutcome.result,
                RevisitOutcome.recurred,
                RevisitOutcome.recorded_at,
            )
            .join(Dispute, Dispute.id == RevisitOutcome.dispute_id)
            .where(RevisitOutcome.recorded_at >= start, RevisitOutcome.recorded_at < end)
            .order_by(RevisitOutcome.id)
        )
        return [OutcomeFact(*row) for row in (await self.session.execute(q)).all()]

    async def revisits_due_between(self, start: datetime, end: datetime) -> list[RevisitDueFact]:
        assignee = aliased(Person)
        q = (
            select(Reminder.dispute_id, Dispute.code, Dispute.area, Reminder.seq, Reminder.due_at, assignee.name)
            .join(Dispute, Dispute.id == Reminder.dispute_id)
            .outerjoin(assignee, assignee.id == Dispute.assignee_id)
            .where(
                Reminder.kind == "revisit",
                Reminder.status == "pending",
                Reminder.due_at >= start,
                Reminder.due_at < end,
            )
            .order_by(Reminder.due_at, Reminder.id)
        )
        return [RevisitDueFact(*row) for row in (await self.session.execute(q)).all()]
