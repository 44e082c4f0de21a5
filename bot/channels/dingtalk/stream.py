"""Stream mode: an aiohttp websocket client that holds the database lease, acks every frame and reconnects."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from urllib.parse import quote_plus

import aiohttp
from yarl import URL

from bot.channels.dingtalk.client import DingTalkApi, DingTalkApiError
from bot.channels.dingtalk.frames import (
    DisconnectFrame,
    InboundFrame,
    MalformedFrame,
    PingFrame,
    StreamAck,
    ack_bad_request,
    ack_system,
    parse_stream_frame,
)
from bot.channels.dingtalk.lease import StreamLease
from bot.channels.dingtalk.settings import DingTalkSettings

log = logging.getLogger(__name__)

FrameHandler = Callable[[InboundFrame], Awaitable[StreamAck | None]]
"""Handles a CALLBACK or EVENT frame; returns the ACK to send, or None to leave it for redelivery."""


class ConnectionLost(Exception):
    """The websocket closed, failed, or went silent."""


class LeaseLost(Exception):
    """Another process holds the Stream lease now, or we could not renew it in time."""


class StreamClient:
    def __init__(
        self,
        settings: DingTalkSettings,
        api: DingTalkApi,
        lease: StreamLease,
        handle: FrameHandler,
        topics: list[str],
        *,
        robot_names: list[str] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings, self.api, self.lease, self.handle, self.topics = settings, api, lease, handle, topics
        self.robot_names = robot_names or []
        self.rng = rng or random.Random()
        self.connections = 0  # websockets opened so far
        self.connected = asyncio.Event()  # set while a websocket is open

    async def run(self) -> None:
        """Forever: wait for the lease, hold the stream while renewing it, and start over when it is lost."""
        while True:
            try:
                acquired = await self.lease.try_acquire()
            except Exception as exc:  # a database hiccup must not end the stream task
                _raise_if_cancelling()
                log.warning("dingtalk stream lease check failed: %s", type(exc).__name__)
                acquired = False
            if not acquired:
                await asyncio.sleep(self.settings.lease_poll_seconds)
                continue
            log.info("dingtalk stream lease taken by %s", self.lease.holder)
            crashed = False
            try:
                async with asyncio.TaskGroup() as group:
                    group.create_task(self._keep_lease())
                    group.create_task(self._keep_connected())
            except* LeaseLost as lost:
                log.warning("dingtalk stream lease lost (%s); disconnected", lost.exceptions[0])
            except* Exception as failed:  # a bug must not end the stream for good: log, give way, start over
                log.error("dingtalk stream stopped by %s", type(failed.exceptions[0]).__name__)
                crashed = True
            finally:
                with contextlib.suppress(Exception):
                    await self.lease.release()
            if crashed:
                await asyncio.sleep(self.settings.backoff_max_seconds)

    async def _keep_lease(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.lease_ttl_seconds
        while True:
            await asyncio.sleep(self.settings.lease_renew_seconds)
            try:
                renewed: bool | None = await self.lease.renew()
            except Exception as exc:
                _raise_if_cancelling()
                log.warning("dingtalk stream lease renewal failed: %s", type(exc).__name__)
                renewed = None
            if renewed:
                deadline = loop.time() + self.settings.lease_ttl_seconds
            elif renewed is False:
                raise LeaseLost("another process holds it")
            elif loop.time() >= deadline - self.settings.lease_renew_seconds:
                raise LeaseLost("not renewed before it expires")

    async def _keep_connected(self) -> None:
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            started = loop.time()
            try:
                await self._connect_once()
                attempt = 0  # the gateway asked us to reconnect: come back promptly
            except (ConnectionLost, DingTalkApiError, aiohttp.ClientError, TimeoutError) as exc:
                _raise_if_cancelling()  # a timeout racing our own shutdown must not keep us running
                log.warning("dingtalk stream connection ended: %s", _describe(exc))
            finally:
                self.connected.clear()
            if loop.time() - started >= self.settings.stable_after_seconds:
                attempt = 0
            delay = self.backoff(attempt)
            attempt += 1
            log.info("dingtalk stream reconnecting in %.2fs", delay)
            await asyncio.sleep(delay)

    def backoff(self, attempt: int) -> float:
        """Exponential from backoff_min to backoff_max, with 'equal jitter' so restarts do not march in step."""
        ceiling = min(self.settings.backoff_max_seconds, self.settings.backoff_min_seconds * 2.0 ** min(attempt, 20))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    async def _connect_once(self) -> None:
        ticket = await self.api.open_stream(self.topics)
        url = URL(f"{ticket.endpoint}?ticket={quote_plus(ticket.ticket)}", encoded=True)
        # autoping off: pings and pongs come back to _receive, so the idle timer counts them as signs of life
        session = self.api.session()
        async with session.ws_connect(url, heartbeat=self.settings.heartbeat_seconds, autoping=False) as ws:
            self.connections += 1
            self.connected.set()
            log.info("dingtalk stream connected (%s)", URL(ticket.endpoint).host)
            lock = asyncio.Lock()

            async def send(ack: StreamAck) -> None:
                async with lock:
                    await ws.send_str(ack.to_json())

            queue: asyncio.Queue[InboundFrame] = asyncio.Queue()
            worker = asyncio.create_task(self._work(queue, send), name="dingtalk-stream-frames")
            try:
                await self._receive(ws, queue, send)
            finally:
                worker.cancel()
                await asyncio.gather(worker, return_exceptions=True)

    async def _receive(
        self,
        ws: aiohttp.ClientWebSocketResponse,
        queue: asyncio.Queue[InboundFrame],
        send: Callable[[StreamAck], Awaitable[None]],
    ) -> None:
        """Read frames; SYSTEM frames are answered here at once, the rest go to the worker in order.

        Our heartbeat pings every heartbeat_seconds and aiohttp fails the socket when no pong follows within
        half that; the idle timeout is the last resort when nothing at all, not even a pong, arrives."""
        while True:
            try:
                # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a cancellation
                async with asyncio.timeout(self.settings.idle_timeout_seconds):
                    msg = await ws.receive()
            except TimeoutError:
                _raise_if_cancelling()
                raise ConnectionLost(f"no frame for {self.settings.idle_timeout_seconds}s") from None
            if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED):
                raise ConnectionLost(f"closed by the gateway ({ws.close_code})")
            if msg.type is aiohttp.WSMsgType.ERROR:
                raise ConnectionLost(f"websocket error: {type(ws.exception()).__name__}")
            if msg.type is aiohttp.WSMsgType.PING:
                await ws.pong(msg.data)
            if msg.type is not aiohttp.WSMsgType.TEXT:
                continue
            try:
                inbound = parse_stream_frame(msg.data, robot_names=self.robot_names)
            except MalformedFrame as exc:
                log.warning("dingtalk stream: malformed frame: %s", str(exc)[:200])
                if exc.frame is not None:
                    await send(ack_bad_request(exc.frame, "malformed"))
                continue
            if isinstance(inbound, PingFrame):
                await send(ack_system(inbound.frame))
            elif isinstance(inbound, DisconnectFrame):
                await send(ack_system(inbound.frame))
                log.info("dingtalk stream: the gateway asked us to reconnect")
                await ws.close()
                return
            else:
                queue.put_nowait(inbound)

    async def _work(self, queue: asyncio.Queue[InboundFrame], send: Callable[[StreamAck], Awaitable[None]]) -> None:
        while True:
            inbound = await queue.get()
            try:
                ack = await self.handle(inbound)
            except Exception as exc:  # not acked: the gateway delivers it again, and the inbox keeps it once
                # only the type: a database error's text would carry the message (phones, sessionWebhook)
                log.error("dingtalk stream: frame %s not handled (%s)", inbound.frame.message_id, type(exc).__name__)
                continue
            if ack is not None:
                await send(ack)


def _raise_if_cancelling() -> None:
    """Re-raise a pending cancellation that a library turned into an ordinary exception."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def _describe(exc: BaseException) -> str:
    """Why a connection ended, without the URL: a handshake error's repr would carry the one-time ticket."""
    if isinstance(exc, ConnectionLost | DingTalkApiError):
        return str(exc)
    status = getattr(exc, "status", None)
    return f"{type(exc).__name__}{f' HTTP {status}' if status else ''}"
