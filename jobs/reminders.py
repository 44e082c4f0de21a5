"""The reminder sweep: due rows are claimed, handled and marked done in one transaction per batch, in due order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm.exc import StaleDataError

from bot.context import Services
from jobs.config import JobsConfig, JobsSettings
from jobs.context import BatchNotifier, Handler, QueuedOutbox, Sweep
from jobs.overdue import accept_overdue, resolve_overdue
from jobs.revisits import send_revisit
from jobs.store import JobsStore
from storage.models import Dispute, Reminder
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)
MAX_STALE_RETRIES = 5


async def _unknown(sweep: Sweep, reminder: Reminder, dispute: Dispute) -> None:
    log.warning("reminder %s has unknown kind %r; marked done", reminder.id, reminder.kind)


HANDLERS: dict[str, Handler] = {
    "revisit": send_revisit,
    "accept_overdue": accept_overdue,
    "resolve_overdue": resolve_overdue,
}


async def sweep_reminders(
    uow_factory: UnitOfWorkFactory,
    services: Services,
    config: JobsConfig,
    *,
    now: datetime | None = None,
    settings: JobsSettings | None = None,
) -> int:
    """Send every reminder due at `now`, oldest first; returns how many were handled. Safe to run in several
    processes at once: a batch is claimed, handled and marked done in one transaction. In the quiet hours
    only records of the excepted risks (red) are taken; the rest wait for the end of the quiet hours."""
    settings = settings or JobsSettings()
    now = now or services.clock.now()
    quiet = config.quiet_hours.contains(now.astimezone(services.clock.tz).time())
    only = config.quiet_hours.except_risk if quiet else None
    total, stale = 0, 0
    while True:
        try:
            handled = await _sweep_batch(uow_factory, services, config, now, settings, only, careful=False)
        except StaleDataError:  # a handler changed a record under us; the batch was rolled back, take it again
            stale += 1
            if stale > MAX_STALE_RETRIES:
                raise
            log.warning("reminder batch hit a concurrent update; retrying (%d)", stale)
            continue
        except Exception:  # the batch was rolled back; take it again one savepoint per reminder
            log.warning("a reminder in the batch failed; retrying the batch one by one", exc_info=True)
            handled = await _sweep_batch(uow_factory, services, config, now, settings, only, careful=True)
        if not handled:
            return total
        total += handled


async def _sweep_batch(
    uow_factory: UnitOfWorkFactory,
    services: Services,
    config: JobsConfig,
    now: datetime,
    settings: JobsSettings,
    only_risks: Sequence[str] | None,
    *,
    careful: bool,
) -> int:
    """One transaction: claim a batch, handle each reminder, mark it done, commit. The fast path lets an error
    roll back the batch; the careful path isolates each reminder in a savepoint and sets a failing one aside."""
    async with uow_factory() as uow:
        uow.outbox = QueuedOutbox(uow.session)
        store = JobsStore(uow)
        due = await store.claim_due(now, settings.sweep_batch, only_risks)
        if not due:
            return 0
        log.debug("claimed %d due reminders", len(due))
        ids = {r.dispute_id for r in due}
        disputes = await store.lock_disputes(ids)
        sweep = Sweep(uow, services, config, now, BatchNotifier(uow, services), store)
        sweep.cycle_sizes = await store.revisit_cycle_sizes(ids)
        for reminder in due:
            if not careful:
                await _handle(sweep, reminder, disputes.get(reminder.dispute_id))
            else:
                rid, kind = reminder.id, reminder.kind
                try:
                    async with uow.savepoint():
                        await _handle(sweep, reminder, disputes.get(reminder.dispute_id))
                except StaleDataError:
                    raise
                except Exception as exc:  # one bad row must not hold back every reminder behind it
                    log.exception("reminder %s (%s) failed; set aside as failed", rid, kind)
                    await store.mark_failed(rid, now, f"{type(exc).__name__}: {exc}")
                    disputes.update(await store.lock_disputes([reminder.dispute_id]))  # reload what was undone
            if settings.item_delay_seconds:
                await asyncio.sleep(settings.item_delay_seconds)  # test hook: a wide window to be killed in
        await uow.commit()
        return len(due)


async def _handle(sweep: Sweep, reminder: Reminder, dispute: Dispute | None) -> None:
    if dispute is not None:
        await HANDLERS.get(reminder.kind, _unknown)(sweep, reminder, dispute)
    reminder.status, reminder.done_at = "done", sweep.now
