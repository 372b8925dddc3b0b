"""Service templates for `wasmdeploy init`: ready services shipped as package data.

Each template is a directory here (`http/`, `s3-image/`, `edge/`) holding a
manifest, the module's sources, the prebuilt module and a README; the
service's name replaces `__SERVICE__` in the manifest and README.
`create_service` copies one into a new directory.
"""

from wasmdeploy.templates.scaffold import (
    SERVICE_PLACEHOLDER,
    TEMPLATES,
    CreatedService,
    Template,
    check_service_name,
    create_service,
)

__all__ = [
    "SERVICE_PLACEHOLDER",
    "TEMPLATES",
    "CreatedService",
    "Template",
    "check_service_name",
    "create_service",
]
