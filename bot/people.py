"""Registering people (实名: name, phone, role, platform ids) and binding chats to areas; idempotent."""

from __future__ import annotations

from collections.abc import Mapping

from bot.clock import Clock
from storage.models import Group, Person, PersonIdentity
from storage.uow import UnitOfWork

GROUP_KINDS = ("resident", "police")


async def bind_group(
    uow: UnitOfWork, clock: Clock, *, platform: str, chat_id: str, name: str, area: str | None, kind: str
) -> Group:
    if kind not in GROUP_KINDS:
        raise ValueError(f"group kind must be one of {', '.join(GROUP_KINDS)}, not {kind!r}")
    group = await uow.groups.get(platform, chat_id)
    if group is None:
        group = await uow.groups.add(
            Group(platform=platform, chat_id=chat_id, name=name, area=area, kind=kind, created_at=clock.now())
        )
    else:
        group.name, group.area, group.kind = name, area, kind
    return group


async def register_person(
    uow: UnitOfWork,
    clock: Clock,
    *,
    key: str,
    name: str,
    role: str,
    phone: str | None = None,
    identities: Mapping[str, str] | None = None,
) -> Person:
    person = await uow.people.by_key(key)
    if person is None:
        person = await uow.people.add(
            Person(key=key, name=name, phone=phone, role=role, created_at=clock.now(), identities=[])
        )
    else:
        person.name, person.phone, person.role = name, phone, role
    for platform, user_id in (identities or {}).items():
        if uow.people.identity(person, platform) != user_id:
            person.identities = [i for i in person.identities if i.platform != platform]
            person.identities.append(PersonIdentity(platform=platform, platform_user_id=user_id))
    await uow.session.flush()
    return person
