"""What `serve` says about Lambda@Edge functions: CloudFront is not emulated, so they do not
run behind the local API; they run with `wasmdeploy invoke` and a CloudFront event."""

from __future__ import annotations

from wasmdeploy.manifest.model import Service


def edge_lines(service: Service) -> list[str]:
    """How to run each edge function locally; nothing when the service has none."""
    from wasmdeploy.local.served import served_functions

    edge = [(function.name, function.edge) for function in service.functions if function.edge]
    if not edge:
        return []
    served = bool(served_functions(service))
    lines = [
        "Edge functions (Lambda@Edge) run at CloudFront, which serve does not emulate"
        + ("; this service has nothing else to serve." if not served else ".")
        + " Run one with a CloudFront event:"
    ]
    for name, trigger in edge:
        pattern = trigger.path_pattern
        uri = "/" if pattern == "*" else "/" + pattern.lstrip("/").replace("*", "example")
        lines.append(
            f"  wasmdeploy events cloudfront {trigger.event_type} --uri {uri} | "
            f"wasmdeploy invoke {name} --event -"
        )
    return lines
