"""Pure helpers of the components: route names, REST resource trees, deployment hashes."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from stacks_factories import make_function

from wasmdeploy.manifest.model import HttpRoute
from wasmdeploy.stacks.cdn import behaviour_patterns
from wasmdeploy.stacks.http_api import RoutedFunction, route_slug, unique_slug
from wasmdeploy.stacks.rest_api import api_definition_hash, resource_paths

ROOT = Path("/srv/service")


def routed(name: str, *routes: HttpRoute) -> RoutedFunction:
    component: Any = SimpleNamespace(function_model=make_function(ROOT, name))
    return RoutedFunction(component, routes)


def test_route_slug_is_a_safe_logical_name() -> None:
    assert route_slug(HttpRoute("httpApi", "GET", "/hello/{name}")) == "get-hello-name"
    assert route_slug(HttpRoute("httpApi", "ANY", "/files/{proxy+}")) == "any-files-proxy"
    assert route_slug(HttpRoute("httpApi", "ANY", "$default")) == "default"


def test_unique_slug_numbers_routes_that_slug_alike() -> None:
    used: set[str] = set()
    assert unique_slug("get-a-b", used) == "get-a-b"
    assert unique_slug("get-a-b", used) == "get-a-b-2"
    assert unique_slug("get-a-b", used) == "get-a-b-3"


def test_rest_resource_paths_list_parents_before_children() -> None:
    routes = [
        HttpRoute("http", "GET", "/v1/items/{id}"),
        HttpRoute("http", "POST", "/v1/items"),
        HttpRoute("http", "GET", "/"),
    ]
    assert resource_paths(routes) == [("v1",), ("v1", "items"), ("v1", "items", "{id}")]


def test_deployment_hash_changes_when_a_route_changes() -> None:
    before = api_definition_hash([routed("f", HttpRoute("http", "GET", "/a"))])
    same = api_definition_hash([routed("f", HttpRoute("http", "GET", "/a"))])
    moved = api_definition_hash([routed("f", HttpRoute("http", "GET", "/b"))])
    with_cors = api_definition_hash([routed("f", HttpRoute("http", "GET", "/a", cors=True))])
    other_target = api_definition_hash([routed("g", HttpRoute("http", "GET", "/a"))])
    assert before == same
    assert len({before, moved, with_cors, other_target}) == 4


def test_edge_path_patterns_become_ordered_behaviours_in_manifest_order() -> None:
    from wasmdeploy.manifest.model import EdgeTrigger
    from wasmdeploy.stacks.cdn import EdgeFunction

    component: Any = SimpleNamespace()
    edges = [
        EdgeFunction(component, EdgeTrigger("origin-request", "/api/*")),
        EdgeFunction(component, EdgeTrigger("origin-response", "*")),
        EdgeFunction(component, EdgeTrigger("origin-response", "/api/*")),
        EdgeFunction(component, EdgeTrigger("origin-request", "/img/*")),
    ]
    assert behaviour_patterns(edges) == ["/api/*", "/img/*"]
