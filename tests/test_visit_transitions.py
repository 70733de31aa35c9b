"""The visit transition table: every (status, action) pair, legal and illegal."""
from __future__ import annotations

import itertools

import pytest

from portal import create_app
from portal.errors import InvalidTransition
from portal.services.visits.transitions import (
    TRANSITIONS, VisitAction, VisitStatus, visit_actions_from, visit_transition,
)

S, A = VisitStatus, VisitAction
LEGAL = {
    (S.BOOKED, A.MOVE): S.BOOKED,
    (S.BOOKED, A.CANCEL): S.CANCELLED,
    (S.BOOKED, A.NO_SHOW): S.NO_SHOW,
    (S.BOOKED, A.CHECK_IN): S.PRESENT,
    (S.PRESENT, A.CHECK_OUT): S.DONE,
}


@pytest.fixture(scope="module")
def babel_context(tmp_path_factory):
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://",
                      "DATA_DIR": str(tmp_path_factory.mktemp("data"))})
    with app.test_request_context():
        yield


@pytest.mark.parametrize("status,action", list(itertools.product(VisitStatus, VisitAction)))
def test_every_pair(babel_context, status, action):
    if (status, action) in LEGAL:
        assert visit_transition(status.value, action.value).target is LEGAL[status, action]
    else:
        with pytest.raises(InvalidTransition):
            visit_transition(status.value, action.value)


def test_table_matches_and_seats(babel_context):
    assert {(r.source, r.action): r.target for r in TRANSITIONS} == LEGAL
    assert [r.holds_seat for r in TRANSITIONS if r.action is A.CANCEL] == [False]  # only cancelling frees a seat
    assert set(visit_actions_from("booked")) == {A.MOVE, A.CANCEL, A.NO_SHOW, A.CHECK_IN}
    assert visit_actions_from("done") == [] and visit_actions_from("cancelled") == []
    with pytest.raises(InvalidTransition):
        visit_transition("nonsense", "cancel")
