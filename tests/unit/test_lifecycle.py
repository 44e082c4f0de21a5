"""The state machine of DOMAIN.md §3."""

from __future__ import annotations

import pytest

from bot.domain.errors import IllegalTransition
from bot.domain.lifecycle import TERMINAL, TRANSITIONS, Action, Status, allowed_actions, next_status

HAPPY_PATH = [
    (Status.REGISTERED, Action.DISPATCH, Status.DISPATCHED),
    (Status.DISPATCHED, Action.ACCEPT, Status.ACCEPTED),
    (Status.ACCEPTED, Action.RESOLVE, Status.RESOLVED),
    (Status.RESOLVED, Action.START_REVISIT, Status.REVISITING),
    (Status.REVISITING, Action.CLOSE, Status.CLOSED),
]


@pytest.mark.parametrize(("before", "action", "after"), HAPPY_PATH)
def test_closed_loop(before: Status, action: Action, after: Status) -> None:
    assert next_status(before, action) is after


@pytest.mark.parametrize("status", [Status.REGISTERED, Status.DISPATCHED, Status.ACCEPTED])
@pytest.mark.parametrize(
    ("action", "after"),
    [
        (Action.TRANSFER, Status.TRANSFERRED),
        (Action.CONVERT, Status.CONVERTED),
        (Action.WITHDRAW, Status.WITHDRAWN),
        (Action.MERGE, Status.MERGED),
    ],
)
def test_side_paths_from_open_states(status: Status, action: Action, after: Status) -> None:
    assert next_status(status, action) is after


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.REVISITING, Status.CLOSED])
def test_reopen_goes_back_to_accepted(status: Status) -> None:
    assert next_status(status, Action.REOPEN) is Status.ACCEPTED


def test_transferred_is_still_revisited_and_closed() -> None:
    assert next_status(Status.TRANSFERRED, Action.START_REVISIT) is Status.REVISITING
    assert next_status(Status.TRANSFERRED, Action.CLOSE) is Status.CLOSED


@pytest.mark.parametrize("status", sorted(TERMINAL))
def test_terminal_states_have_no_exit(status: Status) -> None:
    assert allowed_actions(status) == []
    for action in Action:
        with pytest.raises(IllegalTransition):
            next_status(status, action)


def test_illegal_transition_explains_in_chinese() -> None:
    with pytest.raises(IllegalTransition) as err:
        next_status(Status.REGISTERED, Action.RESOLVE)
    assert "已登记" in err.value.reply and "反馈化解" in err.value.reply and "查" in err.value.reply


def test_every_pair_not_in_table_is_illegal() -> None:
    for status in Status:
        for action in Action:
            if (status, action) in TRANSITIONS:
                assert next_status(status.value, action) is TRANSITIONS[(status, action)]
            else:
                with pytest.raises(IllegalTransition):
                    next_status(status.value, action)


def test_cannot_accept_twice_or_close_before_resolution() -> None:
    with pytest.raises(IllegalTransition):
        next_status(Status.ACCEPTED, Action.ACCEPT)
    with pytest.raises(IllegalTransition):
        next_status(Status.ACCEPTED, Action.CLOSE)
