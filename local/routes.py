"""API Gateway's route selection over the template's routes: the most specific matching route wins
(static segments before ``{params}``, left to right; greedy ``{proxy+}`` last; an exact method over
``ANY``), anything else goes to ``$default``. The gateway and ``local.invoke`` share it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from local import template


@dataclass(frozen=True)
class _CompiledRoute:
    route: template.Route
    pattern: re.Pattern[str]
    rank: tuple[Any, ...]


def _compile(route: template.Route) -> _CompiledRoute:
    parts: list[str] = []
    statics: list[bool] = []
    greedy = False
    for segment in route.path.strip("/").split("/"):
        match = re.fullmatch(r"\{(\w+)(\+?)\}", segment)
        if match and match.group(2):
            parts.append(f"(?P<{match.group(1)}>.+)")
            statics.append(False)
            greedy = True
        elif match:
            parts.append(f"(?P<{match.group(1)}>[^/]+)")
            statics.append(False)
        else:
            parts.append(re.escape(segment))
            statics.append(True)
    pattern = re.compile("^/" + "/".join(parts) + "$")
    # Higher ranks win: no greedy variable, then static segments left to right, then an exact
    # method over ANY.
    rank = (not greedy, tuple(statics), route.method != "ANY")
    return _CompiledRoute(route, pattern, rank)


@dataclass(frozen=True)
class RouteMatch:
    route: template.Route
    path_parameters: dict[str, str]

    @property
    def is_default(self) -> bool:
        return self.route.path == "$default"

    @property
    def route_key(self) -> str:
        return "$default" if self.is_default else f"{self.route.method} {self.route.path}"


class Router:
    """API Gateway's route selection: the most specific matching route, else ``$default``."""

    def __init__(self, routes: Iterable[template.Route]) -> None:
        routes = list(routes)
        self._routes = [_compile(route) for route in routes if route.path != "$default"]
        self.default = next((route for route in routes if route.path == "$default"), None)

    @classmethod
    def from_template(cls) -> Router:
        return cls(template.routes())

    def match(self, method: str, path: str) -> RouteMatch | None:
        best: tuple[_CompiledRoute, dict[str, str]] | None = None
        for compiled in self._routes:
            if compiled.route.method not in (method, "ANY"):
                continue
            found = compiled.pattern.match(path)
            if found and (best is None or compiled.rank > best[0].rank):
                best = (compiled, found.groupdict())
        if best is not None:
            return RouteMatch(best[0].route, best[1])
        return RouteMatch(self.default, {}) if self.default is not None else None
