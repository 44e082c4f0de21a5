"""化解率, 按期办结率 and 回访满意率 (DOMAIN.md §10) as defined in docs/jobs.md, each on hand-built known data,
first as pure functions, then from rows in a real database."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.app import Bot
from bot.clock import SHANGHAI
from bot.demo import DemoSession
from jobs.config import DigestRules
from jobs.periods import latest_due
from jobs.rates import (
    DisputeFact,
    OutcomeFact,
    Rate,
    counted,
    on_time_rate,
    overdue_reason,
    resolution_rate,
    satisfaction_rate,
)
from jobs.store import JobsStore
from storage.models_jobs import RevisitOutcome
from tests.integration.test_jobs_sweep import add_dispute

MON = datetime(2026, 11, 23, tzinfo=SHANGHAI)  # Monday of ISO week 48


def fact(n: int, status: str, **kw: object) -> DisputeFact:
    values: dict[str, object] = {
        "id": n,
        "code": f"JF-{n:04d}",
        "area": "幸福村",
        "category": "neighbor",
        "risk": "low",
        "status": status,
        "reported_at": MON,
    }
    values.update(kw)
    return DisputeFact(**values)  # type: ignore[arg-type]


def test_rate_formats_as_percent_or_dash() -> None:
    assert Rate(7, 9).percent() == "77.8%" and Rate(0, 0).percent() == "—" and Rate(0, 0).value is None
    assert Rate(181, 181).percent() == "100.0%"


def test_resolution_rate_counts_resolved_or_later_over_registered_less_withdrawn_and_merged() -> None:
    statuses = ["resolved"] * 2 + ["revisiting"] * 2 + ["closed"] * 3
    statuses += ["registered", "dispatched", "accepted", "transferred", "converted", "withdrawn", "merged"]
    registered = [fact(n, s) for n, s in enumerate(statuses)]
    assert len(counted(registered)) == 12
    assert resolution_rate(registered) == Rate(7, 12)  # 58.3%
    assert resolution_rate([fact(1, "withdrawn")]) == Rate(0, 0)


def test_on_time_rate_counts_resolved_by_the_deadline_over_resolved() -> None:
    due = MON + timedelta(days=7)
    resolved = [
        fact(1, "closed", resolve_by=due, resolved_at=due - timedelta(days=2)),
        fact(2, "revisiting", resolve_by=due, resolved_at=due),  # on the deadline is in time
        fact(3, "resolved", resolve_by=None, resolved_at=due),  # no deadline, never late
        fact(4, "closed", resolve_by=due, resolved_at=due + timedelta(minutes=1)),
        fact(5, "accepted", resolve_by=due, resolved_at=due + timedelta(days=3)),  # resolved late, since reopened
        fact(6, "accepted", resolve_by=due),  # not resolved: not counted
    ]
    assert on_time_rate(resolved) == Rate(3, 5)


def test_satisfaction_rate_counts_satisfied_or_fairly_over_rated_revisits() -> None:
    results: list[tuple[str | None, bool]] = [("满意", False)] * 3 + [
        ("基本满意", False),
        ("不满意", False),
        ("满意", True),  # satisfied with the officer although it recurred: still counts as satisfied
        (None, True),  # only 反复 recorded: no rating, not counted
    ]
    outcomes = [OutcomeFact(n, "幸福村", r, rec, MON) for n, (r, rec) in enumerate(results)]
    assert satisfaction_rate(outcomes) == Rate(5, 6)


def test_overdue_reasons() -> None:
    now = MON + timedelta(days=10)
    late_accept = fact(1, "dispatched", accept_by=now - timedelta(minutes=1), resolve_by=now - timedelta(days=1))
    late_resolve = fact(2, "accepted", accept_by=MON, resolve_by=now - timedelta(seconds=1))
    on_track = fact(3, "accepted", accept_by=MON, resolve_by=now)
    resolved = fact(4, "resolved", accept_by=MON, resolve_by=MON)
    assert [overdue_reason(d, now) for d in (late_accept, late_resolve, on_track, resolved)] == [
        "accept",
        "resolve",
        None,
        None,
    ]


async def test_rates_from_rows_in_the_database(bot: Bot, session: DemoSession) -> None:
    """Week 48 (11-23..11-29) on hand-built rows, with rows just outside the week on either side."""
    week = latest_due("weekly", DigestRules(), MON + timedelta(days=7, hours=9), SHANGHAI)
    assert (week.start, week.end) == (MON, MON + timedelta(days=7))
    inside, before, after = MON + timedelta(days=2), MON - timedelta(seconds=1), MON + timedelta(days=7)
    due = MON + timedelta(days=5)
    async with bot.uow_factory() as uow:
        for n, (status, reported) in enumerate(
            [
                ("closed", inside),
                ("revisiting", inside),
                ("accepted", inside),
                ("withdrawn", inside),
                ("closed", before),
                ("closed", after),
            ]
        ):
            await add_dispute(uow, n, status=status, reported_at=reported)
        on_time = await add_dispute(uow, 10, reported_at=before, resolve_by=due, resolved_at=due)
        late = await add_dispute(uow, 11, reported_at=before, resolve_by=due, resolved_at=due + timedelta(hours=1))
        await add_dispute(uow, 12, reported_at=before, resolve_by=due, resolved_at=after)  # next week
        for result, when in (("满意", inside), ("不满意", inside), ("基本满意", inside), ("满意", before)):
            uow.session.add(
                RevisitOutcome(dispute_id=on_time.id, result=result, recurred=False, recorded_at=when, seq=1)
            )
        await uow.commit()
    async with bot.uow_factory() as uow:
        store = JobsStore(uow)
        registered = await store.reported_between(week.start, week.end)
        resolved = await store.resolved_between(week.start, week.end)
        outcomes = await store.outcomes_between(week.start, week.end)
    assert resolution_rate(registered) == Rate(2, 3)
    assert {d.id for d in resolved} == {on_time.id, late.id} and on_time_rate(resolved) == Rate(1, 2)
    assert satisfaction_rate(outcomes) == Rate(2, 3)
