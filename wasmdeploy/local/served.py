"""What `serve` runs and what the local S3 holds, read from the service alone.

Light on purpose: `invoke` and `start-lambda` need the bucket list without
importing the emulator's servers and event sources.
"""

from __future__ import annotations

from wasmdeploy.manifest.model import Function, Service


def has_event_sources(function: Function) -> bool:
    return not function.events.is_empty


def served_functions(service: Service) -> dict[str, Function]:
    """The functions `serve` runs: those with a route, an S3 trigger or an event source."""
    return {
        f.name: f for f in service.functions if f.routes or f.s3_triggers or has_event_sources(f)
    }


def local_buckets(service: Service) -> list[str]:
    """Every bucket a function may touch: triggers (existing ones too), outputs, the stack's."""
    names: dict[str, None] = {}
    for function in service.functions:
        for trigger in function.s3_triggers:
            names[trigger.bucket] = None
        if function.output is not None:
            names[function.output.bucket] = None
    names.update(dict.fromkeys(service.buckets_to_create))
    return list(names)
