"""The console channel's world: personas and their groups, from a demo YAML file (config/demo.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from config.rules import load_yaml_model

PLATFORM = "console"


class DemoGroup(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    chat_id: str
    name: str
    area: str | None = None
    kind: Literal["resident", "police"]


class DemoPerson(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    persona: str
    name: str
    phone: str | None = None
    role: str
    group: str


class DemoWorld(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    groups: list[DemoGroup]
    people: list[DemoPerson]

    @model_validator(mode="after")
    def _groups_exist(self) -> DemoWorld:
        chats = {g.chat_id for g in self.groups}
        for p in self.people:
            if p.group not in chats:
                raise ValueError(f"person {p.key!r} speaks in unknown group {p.group!r}")
        return self

    def persona(self, name: str) -> DemoPerson | None:
        return next((p for p in self.people if p.persona == name), None)

    def group(self, chat_id: str) -> DemoGroup:
        return next(g for g in self.groups if g.chat_id == chat_id)


def load_world(path: Path) -> DemoWorld:
    return load_yaml_model(path, DemoWorld)
