"""Drives signed, encrypted 智能机器人 callbacks at `jingwu serve` and at a bare aiohttp handler; prints the numbers.

    .venv/bin/python benchmarks/wecom_callbacks.py                      # spawns both servers, temp SQLite
    .venv/bin/python benchmarks/wecom_callbacks.py --database postgresql+asyncpg://postgres@127.0.0.1:5432/bench
    .venv/bin/python benchmarks/wecom_callbacks.py --url http://127.0.0.1:8080  # a running serve (same token/key)

Every callback is a distinct, correctly signed and encrypted message, so the server verifies, decrypts, parses
and inserts each one into the inbox before its 200; the worker and the outbox run in the same process meanwhile
(replies go to the bare server, which stands in for WeCom's response_url). Afterwards the inbox is counted: every
acked message must be stored.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.channels.wecom.crypto import WeComCrypto  # noqa: E402

TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
TEXTS = ("帮助", "你好", "我的待办", "查 #1")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---- the bare handler (also the stand-in for WeCom's reply endpoints) ----------------------------------------


async def _bare(request: web.Request) -> web.Response:
    await request.read()
    if request.path.startswith("/cgi-bin/"):
        return web.json_response({"errcode": 0, "errmsg": "ok"})
    return web.Response(text="")


def run_bare_server(port: int) -> None:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", _bare)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


# ---- load ---------------------------------------------------------------------------------------------------


def make_callbacks(n: int, tag: str, sink: str) -> list[tuple[str, bytes]]:
    crypto = WeComCrypto(TOKEN, AES_KEY, "")
    out = []
    for i in range(n):
        payload = {
            "msgid": f"{tag}-{i}",
            "aibotid": "AIBOTBENCH",
            "chatid": f"wrkBENCH{i % 50}",
            "chattype": "group",
            "from": {"userid": f"user{i % 500}"},
            "response_url": f"{sink}/cgi-bin/aibot/response?response_code={tag}{i}",
            "msgtype": "text",
            "text": {"content": f"@警务助手 {TEXTS[i % len(TEXTS)]}"},
        }
        ts, nonce = str(int(time.time())), f"n{i}"
        encrypt, sig = crypto.encrypt(json.dumps(payload, ensure_ascii=False).encode(), timestamp=ts, nonce=nonce)
        out.append((f"msg_signature={sig}&timestamp={ts}&nonce={nonce}", json.dumps({"encrypt": encrypt}).encode()))
    return out


async def drive(
    http: aiohttp.ClientSession, base: str, calls: Sequence[tuple[str, bytes]], concurrency: int
) -> tuple[float, list[float], int]:
    """Returns (wall seconds, per-request latencies in ms, number of 200s); `http` keeps its connections."""
    latencies: list[float] = []
    ok = 0
    queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
    for call in calls:
        queue.put_nowait(call)

    async def worker() -> None:
        nonlocal ok
        while not queue.empty():
            query, body = queue.get_nowait()
            started = time.perf_counter()
            async with http.post(f"{base}/wecom/bot?{query}", data=body) as resp:
                await resp.read()
                ok += resp.status == 200
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, ok


def session(concurrency: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def wait_ready(url: str, patience: float = 60) -> None:
    deadline = time.monotonic() + patience
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(url) as resp:
                    if resp.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


async def wait_idle(healthz: str, database: str | None, patience: float = 300) -> None:
    """Wait until the serve has processed every stored message and sent every reply (its outbox is drained,
    so that no reply traffic to the bare server runs during a measured round)."""
    from sqlalchemy import text

    from storage.db import create_engine

    deadline = time.monotonic() + patience
    engine = create_engine(database) if database else None
    try:
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                async with http.get(healthz) as resp:
                    idle = (await resp.json()).get("inbox_pending") == 0
                if idle and engine is not None:
                    async with engine.connect() as conn:
                        due = "SELECT count(*) FROM outbox WHERE status = 'pending' AND attempts = 0"
                        idle = (await conn.execute(text(due))).scalar_one() == 0
                if idle:
                    return
                await asyncio.sleep(0.2)
    finally:
        if engine is not None:
            await engine.dispose()
    raise SystemExit("the serve did not catch up with its inbox and outbox")


async def count_inbox(database: str) -> int:
    from sqlalchemy import text

    from storage.db import create_engine

    engine = create_engine(database)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text("SELECT count(*) FROM inbox WHERE platform = 'wecom'"))).scalar_one())
    finally:
        await engine.dispose()


async def main(args: argparse.Namespace) -> int:
    procs: list[asyncio.subprocess.Process] = []
    tmp = tempfile.TemporaryDirectory(prefix="jingwu-bench-")
    bare_port = free_port()
    procs.append(await asyncio.create_subprocess_exec(sys.executable, __file__, "--bare-server", str(bare_port)))
    bare = f"http://127.0.0.1:{bare_port}"
    database = args.database or f"sqlite+aiosqlite:///{Path(tmp.name) / 'bench.db'}"
    try:
        if args.url:
            target = args.url.rstrip("/")
        else:
            port = free_port()
            env = {
                **os.environ,
                "JINGWU_DATABASE_URL": database,
                "JINGWU_LOG_LEVEL": "WARNING",
                "JINGWU_WECOM_BOT_TOKEN": TOKEN,
                "JINGWU_WECOM_BOT_AES_KEY": AES_KEY,
                "JINGWU_WECOM_API_BASE": bare,
                "JINGWU_WECOM_DEFAULT_WEBHOOK": "bench",
            }
            cmd = [sys.executable, "-m", "bot", "serve", "--port", str(port)]
            procs.append(
                await asyncio.create_subprocess_exec(*cmd, env=env, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL)
            )
            target = f"http://127.0.0.1:{port}"
        await wait_ready(f"{bare}/healthz")
        await wait_ready(f"{target}/healthz")
        run = str(int(time.time()))
        bare_http, http = session(args.concurrency), session(args.concurrency)
        async with bare_http, http:  # one connection pool per side for the whole run
            for name, client, base in (("bare", bare_http, bare), ("jingwu", http, target)):  # warm both up
                await drive(client, base, make_callbacks(args.warmup, f"warm{name}{run}", bare), args.concurrency)
            calls = make_callbacks(args.requests, f"bench{run}", bare)
            # Interleaved rounds, so that load from anything else on the machine weighs on both sides alike.
            bare_wall = wall = 0.0
            bare_lat, lat, bare_ok, ok = [], [], 0, 0
            size = -(-len(calls) // args.rounds)
            for start in range(0, len(calls), size):
                chunk = calls[start : start + size]
                await wait_idle(f"{target}/healthz", None if args.url else database)  # no backlog in either round
                w, la, k = await drive(bare_http, bare, chunk, args.concurrency)
                bare_wall, bare_ok = bare_wall + w, bare_ok + k
                bare_lat += la
                w, la, k = await drive(http, target, chunk, args.concurrency)
                wall, ok = wall + w, ok + k
                lat += la
        stored = None if args.url else await count_inbox(database)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            await proc.wait()
        tmp.cleanup()
    rate, bare_rate = ok / wall, bare_ok / bare_wall
    ratio = rate / bare_rate
    print(
        f"callbacks: {args.requests} distinct signed+encrypted, concurrency {args.concurrency}, "
        f"{args.rounds} interleaved rounds, cpus {os.cpu_count()}"
    )
    print(f"database: {database.split('@')[-1] if not args.url else 'that of ' + target}")
    for name, r, la, unit in (
        ("bare aiohttp handler", bare_rate, bare_lat, "req/s"),
        ("jingwu /wecom/bot", rate, lat, "accepted/s"),
    ):
        print(f"{name + ':':22}{r:8.0f} {unit:10}  p50 {pct(la, 50):6.2f} ms  p99 {pct(la, 99):6.2f} ms")
    print(f"ratio accepted/s / bare req/s: {ratio:.2f}   mean ack {statistics.mean(lat):.2f} ms")
    all_stored = stored is None or stored == ok + args.warmup
    if stored is not None:
        verdict = "ok" if all_stored else "LOST"
        print(f"persist-before-ack: {stored} inbox rows for {ok + args.warmup} acked callbacks ({verdict})")
    passed = pct(lat, 99) < 50 and ratio >= 0.25 and ok == args.requests and all_stored
    print("targets (p99 < 50 ms, ratio >= 0.25, every callback acked and stored):", "PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="alternate bare and jingwu this many times")
    parser.add_argument("--database", help="database URL for the spawned serve (default: a temporary SQLite file)")
    parser.add_argument("--url", help="a running `jingwu serve` with the benchmark's token and key")
    parser.add_argument("--bare-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    ns = parser.parse_args()
    if ns.bare_server:
        run_bare_server(ns.bare_server)
        raise SystemExit(0)
    raise SystemExit(asyncio.run(main(ns)))
