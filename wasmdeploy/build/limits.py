"""Lambda's package size limits, checked on what was built.

- 50 MB zipped for a direct upload (function zip or layer); larger ones must go
  through S3, so that is a warning.
- 250 MB unzipped for a function with all its layers: a hard limit.
- Lambda@Edge origin triggers: 50 MB zipped, a hard limit (no S3 detour).
"""

from __future__ import annotations

from collections.abc import Iterable

from wasmdeploy.build.zips import Artifact
from wasmdeploy.errors import UserError

MB = 1024 * 1024
DIRECT_UPLOAD_LIMIT = 50 * MB
UNZIPPED_LIMIT = 250 * MB
EDGE_ORIGIN_LIMIT = 50 * MB


def human_size(size: int | None) -> str:
    if size is None:
        return "-"
    if size < 1024:
        return f"{size} B"
    if size < MB:
        return f"{size / 1024:.1f} KB"
    return f"{size / MB:.1f} MB"


def direct_upload_warning(label: str, artifact: Artifact) -> str | None:
    if artifact.size is not None and artifact.size > DIRECT_UPLOAD_LIMIT:
        return (
            f"{label} is {human_size(artifact.size)} zipped, over Lambda's 50 MB limit for a "
            "direct upload: it must be uploaded through S3"
        )
    return None


def check_unzipped_total(function_name: str, artifacts: Iterable[Artifact]) -> None:
    """Raise when a function and its layers unzip to more than Lambda's 250 MB."""
    sizes = [a.unzipped_size for a in artifacts if a.unzipped_size is not None]
    total = sum(sizes)
    if total > UNZIPPED_LIMIT:
        raise UserError(
            f"function {function_name!r} unzips to {human_size(total)} with its layers; "
            "Lambda allows 250 MB",
            hint="Make the module smaller, or use a managed Python runtime "
            "(its layer has no bundled interpreter).",
        )


def check_edge_package(function_name: str, artifact: Artifact) -> None:
    if artifact.size is not None and artifact.size > EDGE_ORIGIN_LIMIT:
        raise UserError(
            f"edge function {function_name!r} is {human_size(artifact.size)} zipped; "
            "Lambda@Edge origin triggers allow 50 MB",
            hint="Make the module smaller.",
        )
