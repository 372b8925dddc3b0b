"""S3 event parsing and output key templates (no S3 involved)."""

from __future__ import annotations

import pytest
from wasmdeploy_runtime.errors import FunctionError
from wasmdeploy_runtime.s3_objects import (
    ObjectRef,
    content_type_for,
    object_refs,
    render_key,
    template_fields,
)


def event(*keys: str) -> dict[str, object]:
    return {
        "Records": [{"s3": {"bucket": {"name": "images"}, "object": {"key": key}}} for key in keys]
    }


def test_event_keys_are_url_decoded_with_plus_as_space() -> None:
    assert object_refs(event("uploads/My+Cat%281%29.jpg")) == [
        ObjectRef("images", "uploads/My Cat(1).jpg")
    ]


def test_every_record_is_returned_in_order() -> None:
    assert [ref.key for ref in object_refs(event("a.png", "b.png"))] == ["a.png", "b.png"]


@pytest.mark.parametrize("payload", [{}, {"Records": []}, [], "text", {"Records": [{"s3": {}}]}])
def test_non_s3_events_are_invalid_events(payload: object) -> None:
    with pytest.raises(FunctionError) as raised:
        object_refs(payload)
    assert raised.value.error_type == "InvalidEvent"


GOOD = {"s3": {"bucket": {"name": "images"}, "object": {"key": "a.png"}}}


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"s3": {"bucket": {"name": "images"}, "object": "k"}}, "Records[1].s3.object is a string"),
        ({"s3": {"bucket": "images", "object": {"key": "k"}}}, "Records[1].s3.bucket is a string"),
        ({"s3": {"bucket": {"name": 7}, "object": {"key": "k"}}}, "s3.bucket.name is a number"),
        ({"s3": {"bucket": {"name": "b"}, "object": {"key": ["k"]}}}, "s3.object.key is a list"),
        ({"s3": {"bucket": {"name": "b"}, "object": {"key": None}}}, "s3.object.key is missing"),
        ({"s3": ["bucket"]}, "Records[1].s3 is a list"),
        ({"s3": {"bucket": {"name": "b"}, "object": {"key": ""}}}, "empty bucket or key"),
        ("record", "Records[1] is a string"),
        (None, "Records[1] is null"),
        ({"Sns": {"Message": "{}"}}, "Records[1].s3 is missing"),
    ],
)
def test_a_record_of_another_shape_is_an_invalid_event_naming_its_field(
    record: object, field: str
) -> None:
    with pytest.raises(FunctionError) as raised:
        object_refs({"Records": [GOOD, record]})
    assert raised.value.error_type == "InvalidEvent"
    assert field in raised.value.message


def test_template_fields_describe_the_source_object() -> None:
    fields = template_fields(ObjectRef("images", "uploads/2024/cat.photo.JPG"))
    assert fields == {
        "key": "uploads/2024/cat.photo.JPG",
        "basename": "cat.photo.JPG",
        "stem": "cat.photo",
        "ext": "JPG",
        "bucket": "images",
    }
    assert render_key("processed/{stem}.png", fields) == "processed/cat.photo.png"
    assert render_key("{bucket}/{key}", fields) == "images/uploads/2024/cat.photo.JPG"


def test_unknown_template_field_is_an_invalid_event_listing_the_known_ones() -> None:
    with pytest.raises(FunctionError) as raised:
        render_key("out/{name}.png", {"stem": "cat"})
    assert "{stem}" in raised.value.message and "'name'" in raised.value.message


@pytest.mark.parametrize(
    ("key", "content_type"),
    [
        ("out/cat.png", "image/png"),
        ("out/page.html", "text/html"),
        ("out/data.json", "application/json"),
        ("out/blob", "application/octet-stream"),
    ],
)
def test_content_type_follows_the_output_key(key: str, content_type: str) -> None:
    assert content_type_for(key) == content_type
