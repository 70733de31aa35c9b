"""The staff home: a registry of panels, each shown to some roles, and of health checks.

Each panel is a template plus a loader ``load(user) -> dict | None`` (None hides
the panel: nothing to show). Modules add their own panels when they are
imported, without touching the home page::

    from portal.dashboard import register_panel

    @register_panel("visits_today", "visits/_panel.html", roles={"archivist", "admin"}, order=15)
    def visits_today(user):
        return {"visits": visits.for_day(user, today_local())}

The admin's system health is the same idea: :func:`register_health_check` adds
a line (a label, a value, ok or not) to the health panel.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

Loader = Callable[[Any], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    roles: frozenset[str]
    load: Loader
    order: int = 100


@dataclass(frozen=True)
class HealthResult:
    value: str
    ok: bool = True
    link: str | None = None


@dataclass(frozen=True)
class HealthCheck:
    key: str
    label: object  # a lazy string, translated when shown
    check: Callable[[], HealthResult]
    order: int = 100


_PANELS: dict[str, Panel] = {}
_HEALTH: dict[str, HealthCheck] = {}


def register_panel(key: str, template: str, roles: Iterable[str], order: int = 100) -> Callable[[Loader], Loader]:
    """Decorator: show ``template`` on the home of ``roles``, with what the decorated loader returns."""

    def decorator(load: Loader) -> Loader:
        _PANELS[key] = Panel(key, template, frozenset(roles), load, order)
        return load

    return decorator


def panels_for(user: Any) -> list[tuple[Panel, dict[str, Any]]]:
    """The panels of the user's role that have something to show, in order."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        if getattr(user, "role", None) not in panel.roles:
            continue
        data = panel.load(user)
        if data is not None:
            shown.append((panel, data))
    return shown


def register_health_check(key: str, label: object, order: int = 100) -> Callable[[Callable[[], HealthResult]],
                                                                                  Callable[[], HealthResult]]:
    """Decorator: add a line to the admin's system health panel."""

    def decorator(check: Callable[[], HealthResult]) -> Callable[[], HealthResult]:
        _HEALTH[key] = HealthCheck(key, label, check, order)
        return check

    return decorator


def health_report() -> list[tuple[HealthCheck, HealthResult]]:
    """Every health check's result, in order; a check that fails to run says so instead of breaking the page."""
    results = []
    for check in sorted(_HEALTH.values(), key=lambda c: (c.order, c.key)):
        try:
            result = check.check()
        except Exception as error:  # noqa: BLE001 - the health page must show a broken check, not crash
            result = HealthResult(f"{type(error).__name__}: {error}"[:200], ok=False)
        results.append((check, result))
    return results
