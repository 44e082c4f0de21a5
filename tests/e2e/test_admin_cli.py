"""`jingwu admin`: binding chats, registering people, importing rosters with row-level error reports."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from tests.e2e.test_cli import jingwu

ROSTER_ROWS = [
    ["编号", "姓名", "手机号", "角色", "企业微信ID", "钉钉ID"],
    ["gw-sun", "孙丽娟", "13800138301", "网格员", "SunLJ", ""],
    ["officer-qian", "钱卫东", "138 0013 8302", "民警", "QianWD", "ding-qian"],
    ["bad-phone", "周小川", "1380013830", "群众", "", ""],
    ["", "吴某", "13800138304", "所长", "", ""],
    ["officer-qian", "钱卫东", "13800138302", "民警", "", ""],
    ["x-role", "郑一鸣", "", "书记", "", ""],
]


def test_bind_register_and_list(tmp_path: Path) -> None:
    bind = jingwu(
        "admin",
        "group",
        "bind",
        "--platform",
        "wecom",
        "--chat-id",
        "wrOg1",
        "--name",
        "幸福村警民群",
        "--area",
        "幸福村",
        "--kind",
        "resident",
        tmp_path=tmp_path,
    )
    assert bind.returncode == 0, bind.stderr
    assert "已绑定 wecom:wrOg1「幸福村警民群」→ 幸福村（resident）" in bind.stdout
    rebind = jingwu(
        "admin",
        "group",
        "bind",
        "--platform",
        "wecom",
        "--chat-id",
        "wrOg1",
        "--name",
        "幸福村警民群",
        "--area",
        "幸福村",
        "--kind",
        "police",
        tmp_path=tmp_path,
    )
    assert rebind.returncode == 0
    assert (
        jingwu("admin", "group", "list", tmp_path=tmp_path).stdout.strip()
        == "wecom:wrOg1\t幸福村警民群\t幸福村\tpolice"
    )
    add = jingwu(
        "admin",
        "person",
        "add",
        "--key",
        "officer-wang",
        "--name",
        "王建国",
        "--phone",
        "13800138002",
        "--role",
        "民警",
        "--wecom",
        "WangJG",
        tmp_path=tmp_path,
    )
    assert add.returncode == 0 and "已登记 officer-wang 王建国（民警）" in add.stdout
    listed = jingwu("admin", "person", "list", tmp_path=tmp_path).stdout
    assert "officer-wang\t王建国\t138****8002\tofficer\twecom:WangJG" in listed and "13800138002" not in listed
    assert "13800138002" in jingwu("admin", "person", "list", "--full", tmp_path=tmp_path).stdout
    bad = jingwu("admin", "person", "add", "--key", "x", "--name", "某人", "--role", "书记", tmp_path=tmp_path)
    assert bad.returncode == 2 and "未知角色「书记」" in bad.stderr
    area = jingwu(
        "admin", "area", "set", "幸福村", "--station", "城关派出所", "--officer", "officer-wang", tmp_path=tmp_path
    )
    assert area.returncode == 0 and "包村民警 officer-wang" in area.stdout
    wrong = jingwu(
        "admin", "area", "set", "幸福村", "--station", "城关派出所", "--officer", "nobody", tmp_path=tmp_path
    )
    assert wrong.returncode == 2 and "不是已登记的民警" in wrong.stderr


def _check_import(result_stdout: str, result_stderr: str) -> None:
    assert "导入 2 人，错误 4 处" in result_stdout
    assert result_stderr.splitlines() == [
        "第4行 手机：不是11位手机号",
        "第5行 编号：不能为空",
        "第6行 编号：与第3行重复",
        "第7行 角色：「书记」不是已知角色（网格员、民警、所长、调解员、群众、管理员）",
    ]


def test_import_csv_with_row_errors(tmp_path: Path) -> None:
    f = tmp_path / "roster.csv"
    f.write_text("\n".join(",".join(row) for row in ROSTER_ROWS) + "\n", encoding="utf-8-sig")
    result = jingwu("admin", "person", "import", str(f), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    _check_import(result.stdout, result.stderr)
    listed = jingwu("admin", "person", "list", tmp_path=tmp_path).stdout
    assert "gw-sun\t孙丽娟\t138****8301\tgrid_worker\twecom:SunLJ" in listed
    assert "officer-qian\t钱卫东\t138****8302\tofficer\t" in listed and "dingtalk:ding-qian" in listed
    assert "周小川" not in listed


def test_import_xlsx_strict_imports_nothing_on_error(tmp_path: Path) -> None:
    wb = Workbook()
    for row in ROSTER_ROWS:
        wb.active.append(row)
    f = tmp_path / "roster.xlsx"
    wb.save(f)
    strict = jingwu("admin", "person", "import", str(f), "--strict", tmp_path=tmp_path)
    assert strict.returncode == 1
    assert "导入 0 人，错误 4 处" in strict.stdout
    assert jingwu("admin", "person", "list", tmp_path=tmp_path).stdout == ""
    lenient = jingwu("admin", "person", "import", str(f), tmp_path=tmp_path)
    _check_import(lenient.stdout, lenient.stderr)
    other = tmp_path / "roster.txt"
    other.write_text("x", encoding="utf-8")
    assert "只支持 .csv 或 .xlsx 文件" in jingwu("admin", "person", "import", str(other), tmp_path=tmp_path).stderr
