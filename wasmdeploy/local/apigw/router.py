"""Which function a request goes to, by API Gateway's route selection rules.

A literal segment beats a `{parameter}`, which beats a greedy `{proxy+}`; a
route for the request's method beats an `ANY` route; `$default` catches what
nothing else matches. With no match, HTTP APIs answer 404 `Not Found` and REST
APIs answer 403 `Missing Authentication Token`, as API Gateway does.
"""

from __future__ import annotations

from dataclasses import dataclass

from wasmdeploy.local.events.derived_values import match_path_parameters
from wasmdeploy.manifest.model import Function, HttpRoute, Service


@dataclass(frozen=True)
class RouteMatch:
    function: Function
    route: HttpRoute
    path_parameters: dict[str, str]


@dataclass(frozen=True)
class NoRoute:
    status: int
    message: str


@dataclass(frozen=True)
class Preflight:
    """A CORS preflight (OPTIONS) for a route with `cors: true`, answered by API Gateway."""

    methods: tuple[str, ...]


class Router:
    def __init__(self, service: Service) -> None:
        self.routes: list[tuple[Function, HttpRoute]] = [
            (function, route) for function in service.functions for route in function.routes
        ]

    @property
    def has_http_api(self) -> bool:
        return any(route.kind == "httpApi" for _, route in self.routes)

    def match(self, method: str, path: str) -> RouteMatch | NoRoute | Preflight:
        method = method.upper()
        best: tuple[tuple[tuple[int, ...], int], RouteMatch] | None = None
        # CORS preflights go to the most specific path that has a `cors: true` route.
        cors: tuple[tuple[int, ...], list[str]] | None = None
        for function, route in self.routes:
            if route.path == "$default":
                continue
            parameters = match_path_parameters(route.path, path)
            if parameters is None:
                continue
            ranks = _segment_ranks(route.path)
            if route.cors and (cors is None or ranks <= cors[0]):
                cors = (ranks, cors[1] if cors and cors[0] == ranks else [])
                cors[1].append(route.method)
            if route.method not in (method, "ANY"):
                continue
            rank = (ranks, 1 if route.method == "ANY" else 0)
            if best is None or rank < best[0]:
                best = (rank, RouteMatch(function, route, parameters))
        if method == "OPTIONS" and cors is not None and _preflight_wins(cors[0], best):
            return Preflight(tuple(dict.fromkeys(cors[1])))
        if best is not None:
            return best[1]
        for function, route in self.routes:
            if route.path == "$default":
                return RouteMatch(function, route, {})
        if self.has_http_api:
            return NoRoute(404, "Not Found")
        return NoRoute(403, "Missing Authentication Token")


def _preflight_wins(
    cors_ranks: tuple[int, ...], best: tuple[tuple[tuple[int, ...], int], RouteMatch] | None
) -> bool:
    """API Gateway answers the preflight unless an OPTIONS route is at least as specific."""
    if best is None:
        return True
    if best[1].route.method == "OPTIONS":
        return False
    return cors_ranks <= best[0][0]


def _segment_ranks(path: str) -> tuple[int, ...]:
    ranks: list[int] = []
    for segment in path.strip("/").split("/"):
        if segment.startswith("{") and segment.endswith("+}"):
            ranks.append(2)
        elif segment.startswith("{") and segment.endswith("}"):
            ranks.append(1)
        else:
            ranks.append(0)
    return tuple(ranks)
