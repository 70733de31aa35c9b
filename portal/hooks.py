"""Named hooks, the one mechanism for side effects: the module that owns a side effect registers
it on an event that another module fires, so the firing module never imports the owner back.

The workflows and the catalogue give typed decorators over it (``workflow.on_enter``,
``copy_workflow.on_enter``, ``records.on_mode_change``); underneath, every one is an event here.

Events fired today (arguments in brackets):

- ``item.entered.<status>`` (item): a request item entered a status (workflow.on_enter).
- ``copy.entered.<status>`` (order, action): a copy order entered a status (copy_workflow.on_enter).
- ``file.mode_changed`` (actor, record, old_mode, new_mode): a file was reclassified, committed
  (records.on_mode_change).
- ``item.submitted`` (item): inside the submitting transaction, after the item was flushed.
- ``item.decided`` (item, action): after a request item changed status and was committed.
- ``file.scan_attached`` (record, actor): after a file's scan was stored and committed
  (staff upload or manifest import).
- ``visit.booked`` (visit), ``visit.changed`` (visit, action): a reading-room visit was booked
  after submitting, moved or cancelled.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable

_HOOKS: dict[str, list[Callable[..., Any]]] = defaultdict(list)


def register(event: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: call the function on every ``fire(event, ...)`` (registered once)."""

    def wrap(function: Callable[..., Any]) -> Callable[..., Any]:
        if function not in _HOOKS[event]:
            _HOOKS[event].append(function)
        return function

    return wrap


def fire(event: str, *args: Any, **payload: Any) -> list[Any]:
    """Run the hooks of ``event`` in registration order; return what each returned.

    A hook of ``item.decided`` returns True when it told the reader itself (so the
    generic decision mail is not sent twice).
    """
    return [function(*args, **payload) for function in list(_HOOKS.get(event, ()))]
