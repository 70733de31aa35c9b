"""The copy-order transition table, as a table: every (status, action) pair, legal and illegal."""
from __future__ import annotations

import pytest

from portal import create_app
from portal.copy_workflow import (
    CONDITIONAL_MODE,
    OPEN_MODE,
    TRANSITIONS,
    CopyAction,
    CopyStatus,
    actions_from,
    transition,
)
from portal.errors import InvalidTransition, ValidationError

S, A = CopyStatus, CopyAction
LEGAL = {
    (S.SUBMITTED, A.APPROVE): S.APPROVED,
    (S.SUBMITTED, A.FORWARD): S.FORWARDED,
    (S.SUBMITTED, A.REFUSE): S.REFUSED,
    (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,
    (S.FORWARDED, A.LEADER_APPROVE): S.APPROVED,
    (S.FORWARDED, A.LEADER_REFUSE): S.REFUSED,
    (S.FORWARDED, A.WITHDRAW): S.WITHDRAWN,
    (S.APPROVED, A.PAY): S.PAID,
    (S.APPROVED, A.WITHDRAW): S.WITHDRAWN,
    (S.APPROVED, A.EXPIRE): S.EXPIRED,
    (S.PAID, A.PRODUCE): S.PRODUCED,
    (S.PRODUCED, A.DELIVER): S.DELIVERED,
    (S.PRODUCED, A.EXPIRE): S.EXPIRED,
    (S.SUBMITTED, A.CLOSE): S.REFUSED,
    (S.FORWARDED, A.CLOSE): S.REFUSED,
    (S.APPROVED, A.CLOSE): S.REFUSED,
    (S.PAID, A.CLOSE): S.REFUSED,
    (S.PRODUCED, A.CLOSE): S.REFUSED,
}
NEEDS_REASON = {A.FORWARD, A.REFUSE, A.LEADER_REFUSE, A.CLOSE}


@pytest.fixture(scope="module")
def babel_ctx():
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    with app.test_request_context():
        yield


def test_table_is_what_the_issue_describes():
    assert {(r.source, r.action): r.target for r in TRANSITIONS} == LEGAL


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("action", list(A))
def test_every_pair(babel_ctx, status, action):
    mode = CONDITIONAL_MODE if action is A.FORWARD else OPEN_MODE
    reason = "lý do" if action in NEEDS_REASON else None
    if (status, action) in LEGAL:
        assert transition(status.value, action.value, mode=mode, reason=reason) is LEGAL[status, action]
    else:
        with pytest.raises(InvalidTransition):
            transition(status.value, action.value, mode=mode, reason=reason)


def test_modes_decide_one_or_two_levels(babel_ctx):
    with pytest.raises(InvalidTransition, match="lãnh đạo"):
        transition("submitted", "approve", mode=CONDITIONAL_MODE)
    with pytest.raises(InvalidTransition):
        transition("submitted", "forward", mode=OPEN_MODE, reason="x")
    assert actions_from("submitted", OPEN_MODE) == [A.APPROVE, A.REFUSE, A.WITHDRAW, A.CLOSE]
    assert actions_from("submitted", CONDITIONAL_MODE) == [A.FORWARD, A.REFUSE, A.WITHDRAW, A.CLOSE]


@pytest.mark.parametrize("action", sorted(NEEDS_REASON, key=str))
def test_refusing_and_forwarding_need_a_reason(babel_ctx, action):
    status = "forwarded" if action is A.LEADER_REFUSE else "submitted"
    with pytest.raises(ValidationError):
        transition(status, action.value, mode=CONDITIONAL_MODE, reason="  ")


def test_an_uncleared_reader_is_not_approved(babel_ctx):
    with pytest.raises(InvalidTransition, match="xác minh"):
        transition("submitted", "approve", mode=OPEN_MODE, reader_cleared=False)
    with pytest.raises(InvalidTransition, match="xác minh"):
        transition("forwarded", "leader_approve", mode=CONDITIONAL_MODE, reader_cleared=False)
    assert transition("submitted", "refuse", mode=OPEN_MODE, reason="x", reader_cleared=False) is S.REFUSED
