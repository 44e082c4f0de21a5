"""Who answers for a record: area -> 包村民警 -> station leader -> county (DB routing overrides routing.yaml),
and which department a 非公安主责 category is diverted to."""

from __future__ import annotations

from dataclasses import dataclass

from bot.messages import Target
from config.rules import Rules
from storage.models import Dispute, Person
from storage.uow import UnitOfWork

LEVEL_OWNERS = {1: "包村民警", 2: "派出所", 3: "县局调解中心"}


@dataclass(frozen=True)
class AreaRoute:
    area: str | None
    town: str | None
    station: str
    officer_key: str
    leader_key: str
    police_group: Target
    county: str
    county_group: Target | None


async def route_for(uow: UnitOfWork, rules: Rules, area_name: str | None) -> AreaRoute:
    routing = rules.routing
    row = await uow.areas.get(area_name) if area_name else None
    if row is not None and row.station in routing.stations:
        station_name, officer_key, town = row.station, row.officer_key, row.town
    else:
        area = routing.area_for(area_name)
        station_name, officer_key, town = area.station, area.officer, area.town or None
    station = routing.stations[station_name]
    return AreaRoute(
        area=area_name,
        town=town,
        station=station_name,
        officer_key=officer_key,
        leader_key=station.leader,
        police_group=Target.parse(station.police_group),
        county=station.county,
        county_group=Target.parse(station.county_group) if station.county_group else None,
    )


async def responsible_officer(uow: UnitOfWork, route: AreaRoute) -> Person | None:
    """The area's officer; the station leader when the area has none registered."""
    return await uow.people.by_key(route.officer_key) or await uow.people.by_key(route.leader_key)


def diversion_department(rules: Rules, dispute: Dispute) -> str | None:
    """The department for a 非公安主责 category (分流), or None when the police own it."""
    category = rules.categories.by_code(dispute.category)
    if category.responsibility != "non_police":
        return None
    return rules.routing.departments.get(category.code)
