"""Digests to each station's police group — daily, weekly 研判, monthly — each exactly once per period."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.context import Services
from bot.messages import Target
from bot.outbox import Notifier, Render
from handlers.routing import route_for
from jobs import texts
from jobs.config import DIGEST_KINDS, DigestKind, JobsConfig
from jobs.periods import Period, latest_due
from jobs.rates import (
    DisputeFact,
    OutcomeFact,
    RevisitDueFact,
    counted,
    on_time_rate,
    overdue_reason,
    resolution_rate,
    satisfaction_rate,
)
from jobs.store import JobsStore
from storage.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Owed:
    station: str
    target: Target
    period: Period


async def send_due_digests(
    uow_factory: UnitOfWorkFactory,
    services: Services,
    config: JobsConfig,
    *,
    now: datetime | None = None,
    kinds: Sequence[DigestKind] = DIGEST_KINDS,
) -> int:
    """Queue every digest due as of `now` that has not gone out; returns how many were queued.

    For each station and kind only the latest period due is owed (a digest missed during downtime is caught up
    once, older ones are not), and only if it fell due after the station's police group was bound. The marker
    row and the outbox row are written in one transaction under a unique key, so each goes out exactly once."""
    clock, rules = services.clock, services.rules
    now = now or clock.now()
    if config.quiet_hours.contains(now.astimezone(clock.tz).time()):
        return 0
    periods = {kind: latest_due(kind, config.digests, now, clock.tz) for kind in kinds}
    async with uow_factory() as uow:
        store = JobsStore(uow)
        bound = await store.police_groups()
        sent = await store.sent_digest_keys({p.key for p in periods.values()})
    owed: list[Owed] = []
    for name, station in rules.routing.stations.items():
        target = Target.parse(station.police_group)
        since = bound.get((target.platform, target.chat_id or ""))
        if since is None:
            log.debug("no police group bound for %s; no digests", name)
            continue
        owed += [
            Owed(name, target, p)
            for kind, p in periods.items()
            if p.due_at >= since and (name, kind, p.key) not in sent
        ]
    queued = 0
    for kind, period in periods.items():
        todo = [o for o in owed if o.period.kind == kind]
        if not todo:
            continue
        async with uow_factory() as uow:
            bodies = await compose(uow, services, config, period, now, [o.station for o in todo])
        for item in todo:
            async with uow_factory() as uow:
                store = JobsStore(uow)
                marker = await store.claim_digest(item.station, kind, period.key, period.due_at, now)
                if marker is None:
                    continue  # another process has it
                row = await Notifier(uow, clock).send(item.target, f"digest_{kind}", _fixed(bodies[item.station]))
                await store.link_digest(marker, row.id)
                await uow.commit()
                queued += 1
    return queued


async def compose(
    uow: UnitOfWork, services: Services, config: JobsConfig, period: Period, now: datetime, stations: Iterable[str]
) -> dict[str, str]:
    """The text of one period's digest for each named station."""
    if period.kind == "daily":
        return await _daily(uow, services, config, period, now, stations)
    return await _periodic(uow, services, period, now, stations)


async def _daily(
    uow: UnitOfWork, services: Services, config: JobsConfig, period: Period, now: datetime, stations: Iterable[str]
) -> dict[str, str]:
    """New since the last daily digest, open by colour, overdue now, revisits due today."""
    rules, tz = services.rules, services.clock.tz
    store = JobsStore(uow)
    open_now = await store.open_disputes()
    new = counted(await store.reported_between(period.start, period.end))
    day = datetime.combine(period.due_at.astimezone(tz).date(), time(0), tzinfo=tz)
    revisits = await store.revisits_due_between(day, day + timedelta(days=1))
    station_of = await _stations(uow, services, [*new, *open_now, *revisits])
    out = {}
    for name in stations:
        mine = [d for d in open_now if station_of[d.area] == name]
        digest = texts.DailyDigest(
            station=name,
            period=period,
            new=[d for d in new if station_of[d.area] == name],
            open=mine,
            overdue=[(d, why) for d in mine if (why := overdue_reason(d, now))],
            revisits=[r for r in revisits if station_of[r.area] == name],
        )
        out[name] = texts.daily(digest, rules, tz, config.digests.list_limit)
    return out


async def _periodic(
    uow: UnitOfWork, services: Services, period: Period, now: datetime, stations: Iterable[str]
) -> dict[str, str]:
    """研判: counts by category, area and colour, the three rates, each against the period before."""
    rules, tz = services.rules, services.clock.tz
    store = JobsStore(uow)
    open_now = await store.open_disputes()
    before = period.previous()
    reported = await store.reported_between(before.start, period.end)
    resolved = await store.resolved_between(before.start, period.end)
    outcomes = await store.outcomes_between(before.start, period.end)
    station_of = await _stations(uow, services, [*reported, *resolved, *outcomes, *open_now])
    out = {}
    for name in stations:

        def figures(p: Period, name: str = name) -> texts.Figures:
            def inside(at: datetime, area: str | None) -> bool:
                return p.start <= at < p.end and station_of[area] == name

            registered = counted(d for d in reported if inside(d.reported_at, d.area))
            return texts.Figures(
                registered=registered,
                resolution=resolution_rate(registered),
                on_time=on_time_rate(d for d in resolved if d.resolved_at and inside(d.resolved_at, d.area)),
                satisfaction=satisfaction_rate(o for o in outcomes if inside(o.recorded_at, o.area)),
            )

        overdue = sum(1 for d in open_now if station_of[d.area] == name and overdue_reason(d, now))
        digest = texts.PeriodicDigest(name, period, figures(period), figures(before), overdue)
        out[name] = texts.periodic(digest, rules, tz)
    return out


def _fixed(body: str) -> Render:
    return lambda _privacy: body  # counts, codes and officers' names only; sent to bound police groups


async def _stations(
    uow: UnitOfWork, services: Services, rows: Iterable[DisputeFact | OutcomeFact | RevisitDueFact]
) -> dict[str | None, str]:
    """Each area's station, as routing (the database, then routing.yaml) has it."""
    areas = {r.area for r in rows}
    return {area: (await route_for(uow, services.rules, area)).station for area in areas}
