"""The transition table, tested as a table: every status × action, legal and illegal."""
from __future__ import annotations

import itertools

import pytest

from portal import create_app
from portal.errors import InvalidTransition, ValidationError
from portal.workflow import (
    TRANSITIONS, Action, ItemStatus, RequestStatus, request_can_withdraw, request_status, transition,
)

S, A = ItemStatus, Action
# The expected outcome for each (status, action, mode): target status, or None for illegal.
EXPECTED = {
    (S.SUBMITTED, A.APPROVE, "01"): S.GRANTED,
    (S.SUBMITTED, A.REFUSE, "01"): S.REFUSED,
    (S.SUBMITTED, A.REFUSE, "02"): S.REFUSED,
    (S.SUBMITTED, A.FORWARD, "02"): S.FORWARDED,
    (S.FORWARDED, A.LEADER_APPROVE, "02"): S.GRANTED,
    (S.FORWARDED, A.LEADER_REFUSE, "02"): S.REFUSED,
    (S.SUBMITTED, A.WITHDRAW, "01"): S.WITHDRAWN,
    (S.SUBMITTED, A.WITHDRAW, "02"): S.WITHDRAWN,
    (S.FORWARDED, A.WITHDRAW, "02"): S.WITHDRAWN,
    (S.GRANTED, A.EXPIRE, "01"): S.EXPIRED,
    (S.GRANTED, A.EXPIRE, "02"): S.EXPIRED,
    (S.GRANTED, A.REVOKE, "01"): S.REVOKED,
    (S.GRANTED, A.REVOKE, "02"): S.REVOKED,
    # Forwarded items are conditional by construction; the table does not restrict them by mode.
    (S.FORWARDED, A.LEADER_APPROVE, "01"): S.GRANTED,
    (S.FORWARDED, A.LEADER_REFUSE, "01"): S.REFUSED,
    (S.FORWARDED, A.WITHDRAW, "01"): S.WITHDRAWN,
    # The file's current mode decides (issue 11): a file that became classified is never granted or
    # forwarded; the system closes what is open; the reader may still withdraw; a window still ends.
    (S.SUBMITTED, A.WITHDRAW, "03"): S.WITHDRAWN,
    (S.FORWARDED, A.WITHDRAW, "03"): S.WITHDRAWN,
    (S.GRANTED, A.EXPIRE, "03"): S.EXPIRED,
    **{(source, A.CLOSE, mode): target for mode in ("01", "02", "03")
       for source, target in ((S.SUBMITTED, S.REFUSED), (S.FORWARDED, S.REFUSED), (S.GRANTED, S.REVOKED))},
}


@pytest.fixture(scope="module")
def babel_context():
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    with app.test_request_context():
        yield


@pytest.mark.parametrize("status,action,mode", list(itertools.product(S, A, ["01", "02", "03"])))
def test_every_status_and_action(babel_context, status, action, mode):
    expected = EXPECTED.get((status, action, mode))
    if expected is None:
        with pytest.raises(InvalidTransition):
            transition(status.value, action.value, mode=mode, reason="lý do")
    else:
        assert transition(status.value, action.value, mode=mode, reason="lý do") is expected


@pytest.mark.parametrize("rule", [r for r in TRANSITIONS if r.needs_reason], ids=lambda r: r.action.value)
def test_refusing_forwarding_and_revoking_need_a_reason(babel_context, rule):
    mode = next(iter(rule.modes))
    for reason in (None, "", "   "):
        with pytest.raises(ValidationError):
            transition(rule.source.value, rule.action.value, mode=mode, reason=reason)


@pytest.mark.parametrize("rule", [r for r in TRANSITIONS if r.needs_cleared_reader], ids=lambda r: r.action.value)
def test_granting_needs_a_cleared_reader(babel_context, rule):
    mode = sorted(rule.modes)[-1]
    with pytest.raises(InvalidTransition):
        transition(rule.source.value, rule.action.value, mode=mode, reader_cleared=False)
    assert transition(rule.source.value, rule.action.value, mode=mode, reader_cleared=True) is S.GRANTED


def test_unknown_status_or_action_is_refused(babel_context):
    with pytest.raises(InvalidTransition):
        transition("nonsense", "approve", mode="01")
    with pytest.raises(InvalidTransition):
        transition("submitted", "delete", mode="01")


@pytest.mark.parametrize("statuses,expected", [
    (["submitted", "forwarded"], RequestStatus.SUBMITTED),
    (["submitted", "granted"], RequestStatus.IN_PROGRESS),
    (["refused", "granted"], RequestStatus.COMPLETED),
    (["expired", "revoked"], RequestStatus.COMPLETED),
    (["withdrawn", "withdrawn"], RequestStatus.WITHDRAWN),
])
def test_request_status_follows_its_items(statuses, expected):
    assert request_status(statuses) is expected


def test_a_request_can_be_withdrawn_only_while_nothing_is_decided():
    assert request_can_withdraw(["submitted", "forwarded"])
    assert not request_can_withdraw(["submitted", "granted"])
    assert not request_can_withdraw(["refused"])
    assert not request_can_withdraw([])
