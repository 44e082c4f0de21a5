"""Administration: binding chats to areas, registering people (实名), importing rosters from CSV or Excel
with a report of every bad row."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.clock import Clock
from bot.people import bind_group, register_person
from config.rules import Rules
from storage.models import AreaAssignment
from storage.uow import UnitOfWork

PLATFORMS = ("wecom", "dingtalk", "console")
COLUMNS: dict[str, tuple[str, ...]] = {
    "key": ("key", "编号", "工号", "账号"),
    "name": ("name", "姓名", "真实姓名"),
    "phone": ("phone", "手机", "手机号", "电话", "联系电话"),
    "role": ("role", "角色", "身份"),
    "wecom": ("wecom", "企业微信", "企业微信id", "企业微信userid"),
    "dingtalk": ("dingtalk", "钉钉", "钉钉id", "钉钉userid"),
    "console": ("console",),
}
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_REAL_NAME = re.compile(r"^[\u4e00-\u9fa5·]{2,10}$")


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet shows it: the header is row 1
    column: str
    problem: str

    def __str__(self) -> str:
        return f"第{self.row}行 {self.column}：{self.problem}"


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class PersonRow:
    key: str
    name: str
    phone: str | None
    role: str
    identities: dict[str, str]


def read_table(path: Path) -> list[dict[str, str]]:
    """Rows of a .csv (UTF-8, with or without BOM) or .xlsx file as {canonical column: text}."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        raw = [["" if v is None else str(v).strip() for v in row] for row in wb.active.iter_rows(values_only=True)]
        wb.close()
    elif path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            raw = [[cell.strip() for cell in row] for row in csv.reader(fh)]
    else:
        raise ValueError(f"{path}: 只支持 .csv 或 .xlsx 文件")
    if not raw:
        return []
    header = [_canonical(h) for h in raw[0]]
    return [{h: (row[i] if i < len(row) else "") for i, h in enumerate(header) if h} for row in raw[1:]]


def _canonical(header: str) -> str:
    h = header.strip().lower().replace(" ", "")
    return next((key for key, names in COLUMNS.items() if h in names), "")


def role_code(rules: Rules, value: str) -> str | None:
    value = value.strip()
    if value in rules.roles.roles:
        return value
    return next((code for code, role in rules.roles.roles.items() if role.name == value), None)


def validate_person(values: dict[str, str], rules: Rules, row: int) -> PersonRow | list[RowError]:
    errors: list[RowError] = []
    key, name = values.get("key", ""), values.get("name", "")
    phone = re.sub(r"[\s-]", "", values.get("phone", "")) or None
    if not key:
        errors.append(RowError(row, "编号", "不能为空"))
    if not _REAL_NAME.match(name):
        errors.append(RowError(row, "姓名", f"「{name}」不是实名（2–10个汉字）"))
    if phone is not None and not _MOBILE.match(phone):
        errors.append(RowError(row, "手机", "不是11位手机号"))
    role = role_code(rules, values.get("role", ""))
    if role is None:
        names = "、".join(r.name for r in rules.roles.roles.values())
        errors.append(RowError(row, "角色", f"「{values.get('role', '')}」不是已知角色（{names}）"))
    identities = {p: values[p] for p in PLATFORMS if values.get(p)}
    if errors:
        return errors
    assert role is not None
    return PersonRow(key=key, name=name, phone=phone, role=role, identities=identities)


async def import_people(uow: UnitOfWork, clock: Clock, rules: Rules, path: Path, *, strict: bool) -> ImportReport:
    """Register every valid row; report every invalid one. With `strict`, any error imports nothing."""
    report = ImportReport()
    valid: list[PersonRow] = []
    seen: dict[str, int] = {}
    for n, values in enumerate(read_table(path), start=2):
        if not any(values.values()):
            continue
        result = validate_person(values, rules, n)
        if isinstance(result, list):
            report.errors.extend(result)
        elif result.key in seen:
            report.errors.append(RowError(n, "编号", f"与第{seen[result.key]}行重复"))
        else:
            seen[result.key] = n
            valid.append(result)
    if strict and report.errors:
        return report
    for person in valid:
        await register_person(
            uow,
            clock,
            key=person.key,
            name=person.name,
            role=person.role,
            phone=person.phone,
            identities=person.identities,
        )
        report.imported += 1
    return report


async def set_area(
    uow: UnitOfWork, clock: Clock, rules: Rules, *, area: str, station: str, officer_key: str, town: str | None
) -> AreaAssignment:
    if station not in rules.routing.stations:
        raise ValueError(f"没有派出所「{station}」，routing.yaml 中有：{'、'.join(rules.routing.stations)}")
    officer = await uow.people.by_key(officer_key)
    if officer is None or officer.role not in ("officer", "leader"):
        raise ValueError(f"「{officer_key}」不是已登记的民警")
    row = await uow.areas.get(area)
    if row is None:
        row = AreaAssignment(area=area, town=town, station=station, officer_key=officer_key, updated_at=clock.now())
        await uow.areas.add(row)
    else:
        row.town, row.station, row.officer_key, row.updated_at = town, station, officer_key, clock.now()
    return row


__all__ = ["ImportReport", "RowError", "bind_group", "import_people", "read_table", "register_person", "set_area"]
