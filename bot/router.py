"""The router: one declarative table from command verbs (typed or clicked) to handlers, then fallbacks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.commands import Command, parse_command
from bot.context import HandlerContext

CommandHandler = Callable[[HandlerContext, Command], Awaitable[None]]
Handler = Callable[[HandlerContext], Awaitable[None]]
Predicate = Callable[[HandlerContext], bool]


@dataclass(frozen=True)
class Route:
    verb: str
    handler: CommandHandler


@dataclass(frozen=True)
class Fallback:
    name: str
    when: Predicate
    handler: Handler


class Router:
    def __init__(self, routes: Sequence[Route], fallbacks: Sequence[Fallback]) -> None:
        self._routes = {r.verb: r.handler for r in routes}
        self._fallbacks = list(fallbacks)

    def command_for(self, ctx: HandlerContext) -> Command | None:
        if ctx.msg.kind == "action" and ctx.msg.action:
            code = ctx.msg.action_code or ""
            number = int(code) if code.isdigit() else None
            return Command(verb=ctx.msg.action, number=number, args=ctx.msg.text)
        cmd = parse_command(ctx.msg.text)
        return cmd if cmd and cmd.verb in self._routes else None

    async def dispatch(self, ctx: HandlerContext) -> str:
        """Run the matching handler; returns the route name taken (for logs and tests)."""
        cmd = self.command_for(ctx)
        if cmd is not None and cmd.verb in self._routes:
            await self._routes[cmd.verb](ctx, cmd)
            return cmd.verb
        for fb in self._fallbacks:
            if fb.when(ctx):
                await fb.handler(ctx)
                return fb.name
        return "ignored"
