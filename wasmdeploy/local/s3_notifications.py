"""Reading the S3 event notifications the local AWS (moto) writes to a queue.

moto announces a completed multipart upload twice: `ObjectCreated:Put` (it
stores the object with an internal put) and then
`ObjectCreated:CompleteMultipartUpload`. S3 sends one event per object
created, the second; the first is recognisable by its ETag, which only a
multipart upload gives an object: the parts' digest, a dash, the part count.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_plus

from wasmdeploy.local.default_events import s3_event_for
from wasmdeploy.manifest.model import S3Trigger

_MULTIPART_ETAG = re.compile(r'^"?[0-9a-fA-F]{32}-\d+"?$')


def duplicate_of_multipart(record: dict[str, Any]) -> bool:
    """Whether `record` is moto's extra Put for an object a multipart upload created."""
    if record.get("eventName") != "ObjectCreated:Put":
        return False
    etag = str(record.get("s3", {}).get("object", {}).get("eTag") or "")
    return bool(_MULTIPART_ETAG.match(etag))


def object_key(record: dict[str, Any]) -> str:
    """The object key, decoded (notifications carry it URL-encoded, spaces as '+')."""
    return unquote_plus(str(record["s3"]["object"]["key"]))


def function_event(record: dict[str, Any], trigger: S3Trigger, region: str) -> dict[str, Any]:
    """The event Lambda gives the trigger's function for this notification record."""
    obj = record["s3"]["object"]
    event: dict[str, Any] = s3_event_for(
        trigger,
        region,
        key=object_key(record),
        size=int(obj.get("size") or 0),
        etag=obj.get("eTag"),
        event_name=record["eventName"],
        configuration_id=record["s3"]["configurationId"],
    )
    return event
