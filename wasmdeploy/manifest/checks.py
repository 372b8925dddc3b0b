"""The checks beyond the schema, run together so one pass reports every problem.

Each check reads the (variable-resolved) manifest defensively: the schema may
already have found that part malformed, and the check then skips it rather
than failing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wasmdeploy.manifest import settings
from wasmdeploy.manifest.check_edge import check_cdn, check_edge_associations, check_edge_function
from wasmdeploy.manifest.check_event_loops import (
    check_async_settings,
    check_bucket_queue_loops,
    check_writes_to_own_trigger,
)
from wasmdeploy.manifest.check_event_sources import check_event_sources
from wasmdeploy.manifest.check_events import (
    check_existing_buckets,
    check_routes,
    check_s3_events,
)
from wasmdeploy.manifest.check_function import (
    check_input_output,
    check_limits,
    check_names,
    check_provider_runtime,
    check_runtime,
    check_sandbox_block,
    check_stage,
)
from wasmdeploy.manifest.check_iam import check_iam_statements
from wasmdeploy.manifest.check_kv import check_kv
from wasmdeploy.manifest.check_loops import (
    check_chains,
    check_overlapping_notifications,
    check_recursion,
)
from wasmdeploy.manifest.check_module import check_handler
from wasmdeploy.manifest.check_region import check_region
from wasmdeploy.manifest.problems import Problems


@dataclass(frozen=True)
class CheckContext:
    root: Path  # the manifest's directory
    stage: str  # effective stage (CLI > provider > default)
    region: str  # effective region
    inspect_modules: bool = True  # False: skip reading the .wasm files
    region_from_cli: bool = False  # --region gave the region


def run_checks(data: dict[str, Any], problems: Problems, context: CheckContext) -> None:
    provider = settings.provider_of(data)
    check_stage(context.stage, problems)
    if "${" not in context.region:
        check_region(context.region, context.region_from_cli, problems)
    check_provider_runtime(data, problems)
    check_sandbox_block(provider, ("provider",), problems)
    for name, function in settings.functions_of(data).items():
        check_handler(data, name, function, context.root, problems, context.inspect_modules)
        check_sandbox_block(function, ("functions", name), problems)
        check_limits(data, name, function, problems)
        check_names(data, name, context.stage, problems)
        check_runtime(name, function, problems)
        check_input_output(name, function, problems)
        check_edge_function(data, name, function, context.region, problems)
    check_edge_associations(data, problems)
    check_cdn(data, problems)
    check_routes(data, problems)
    check_s3_events(data, problems)
    check_existing_buckets(data, problems)
    check_iam_statements(data, problems)
    check_recursion(data, problems)
    check_chains(data, problems)
    check_overlapping_notifications(data, problems)
    check_event_sources(data, problems, context.region)
    check_async_settings(data, context.stage, problems)
    check_writes_to_own_trigger(data, problems)
    check_bucket_queue_loops(data, problems)
    check_kv(data, context.stage, problems)
