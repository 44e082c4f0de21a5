"""Domain errors: each carries the short Chinese reply a person gets instead of a stack trace."""

from __future__ import annotations


class DomainError(Exception):
    """An expected refusal; `reply` is what the person who sent the message reads."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


class IllegalTransition(DomainError):
    pass


class NotFound(DomainError):
    pass


class PermissionDenied(DomainError):
    pass


class BadCommand(DomainError):
    pass
