"""S3 object binding: read the object an S3 event names, write the module's output back.

boto3 is imported only here, and only when a function reads or writes an
object, so functions that do not pay neither its import time nor its memory.
`AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` point the client at a local S3
(boto3 reads them itself since 1.28; they are passed explicitly for older ones).
"""

from __future__ import annotations

import mimetypes
import os
import posixpath
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import unquote_plus

from wasmdeploy_runtime.errors import INVALID_EVENT, S3_OBJECT_ERROR, FunctionError

_TEMPLATE_FIELDS = ("key", "basename", "stem", "ext", "bucket")


class ObjectRef(NamedTuple):
    bucket: str
    key: str


_NOT_S3 = (
    "the function reads its input object (input: object) but the event is not an S3 "
    "event notification with Records[].s3.bucket.name and Records[].s3.object.key"
)
_KINDS = {
    dict: "an object",
    list: "a list",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
}


def object_refs(event: object) -> list[ObjectRef]:
    """The objects an S3 event notification names; keys URL-decoded (`+` is a space).

    Every record must name its object: a record of another shape is an `InvalidEvent` that
    says which field is wrong, never a skipped record or a crash on a field's type.
    """
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list) or not records:
        raise FunctionError(INVALID_EVENT, _NOT_S3)
    return [_record_ref(record, f"Records[{index}]") for index, record in enumerate(records)]


def _record_ref(record: object, where: str) -> ObjectRef:
    if not isinstance(record, dict):
        raise FunctionError(INVALID_EVENT, f"{where} is {_kind(record)}, not an object: {_NOT_S3}")
    s3 = _field(record, "s3", dict, where)
    bucket = _field(_field(s3, "bucket", dict, f"{where}.s3"), "name", str, f"{where}.s3.bucket")
    key = _field(_field(s3, "object", dict, f"{where}.s3"), "key", str, f"{where}.s3.object")
    if not bucket or not key:
        raise FunctionError(INVALID_EVENT, f"{where} names an empty bucket or key; {_NOT_S3}")
    return ObjectRef(bucket, unquote_plus(key))


def _field(parent: object, name: str, kind: type[Any], where: str) -> Any:
    """parent[name], which must be of `kind`: else an InvalidEvent naming the field."""
    value = parent.get(name) if isinstance(parent, dict) else None
    if isinstance(value, kind):
        return value
    found = "missing" if value is None else _kind(value)
    raise FunctionError(INVALID_EVENT, f"{where}.{name} is {found}, not {_KINDS[kind]}: {_NOT_S3}")


def _kind(value: object) -> str:
    return _KINDS.get(type(value), "null" if value is None else type(value).__name__)


def template_fields(source: ObjectRef) -> dict[str, str]:
    """{key} {basename} {stem} {ext} {bucket} of the source object."""
    basename = posixpath.basename(source.key)
    stem, ext = posixpath.splitext(basename)
    return {
        "key": source.key,
        "basename": basename,
        "stem": stem,
        "ext": ext.lstrip("."),
        "bucket": source.bucket,
    }


def render_key(template: str, fields: Mapping[str, str]) -> str:
    try:
        key = template.format_map(dict(fields))
    except (KeyError, IndexError, ValueError) as error:
        known = ", ".join("{" + name + "}" for name in _TEMPLATE_FIELDS)
        raise FunctionError(
            INVALID_EVENT,
            f"output key template {template!r} cannot be filled ({error}); it may use {known}, "
            "and only for S3-triggered invocations",
        ) from None
    if not key or key.endswith("/"):
        raise FunctionError(INVALID_EVENT, f"output key template {template!r} gave {key!r}")
    return key


def content_type_for(key: str) -> str:
    guessed, _ = mimetypes.guess_type(key, strict=False)
    return guessed or "application/octet-stream"


class ObjectStore:
    """Reads and writes objects with one boto3 client, made on first use."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ
        self._client: Any = None

    def _s3(self) -> Any:
        if self._client is None:
            import boto3  # only functions with S3 object I/O load it

            endpoint = self._environ.get("AWS_ENDPOINT_URL_S3") or self._environ.get(
                "AWS_ENDPOINT_URL"
            )
            self._client = boto3.client("s3", endpoint_url=endpoint or None)
        return self._client

    def get(self, ref: ObjectRef) -> bytes:
        try:
            response = self._s3().get_object(Bucket=ref.bucket, Key=ref.key)
            return bytes(response["Body"].read())
        except Exception as error:
            raise FunctionError(
                S3_OBJECT_ERROR, f"GetObject s3://{ref.bucket}/{ref.key} failed: {_aws(error)}"
            ) from None

    def put(self, ref: ObjectRef, body: bytes) -> dict[str, object]:
        content_type = content_type_for(ref.key)
        try:
            self._s3().put_object(
                Bucket=ref.bucket, Key=ref.key, Body=body, ContentType=content_type
            )
        except Exception as error:
            raise FunctionError(
                S3_OBJECT_ERROR, f"PutObject s3://{ref.bucket}/{ref.key} failed: {_aws(error)}"
            ) from None
        return {"bucket": ref.bucket, "key": ref.key, "size": len(body)}


def _aws(error: Exception) -> str:
    """botocore's ClientError as 'NoSuchKey: The specified key does not exist.'."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        details = response.get("Error", {})
        code, message = details.get("Code"), details.get("Message")
        if code:
            return f"{code}: {message}" if message else str(code)
    return f"{type(error).__name__}: {error}"
