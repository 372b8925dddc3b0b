"""Kinesis and DynamoDB streams on the local AWS, read shard by shard, as Lambda's events.

`KinesisShards` and `DynamoDbShards` hide the two services' APIs behind the
same small surface (list the shards, get an iterator, read a page) and turn
each record into the record Lambda puts in the event, with every field AWS sends.
"""

from __future__ import annotations

import base64
import datetime
from typing import Any, Literal, Protocol

from wasmdeploy.local.lambda_environment import LOCAL_ACCOUNT_ID

IteratorType = Literal[
    "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP", "AFTER_SEQUENCE_NUMBER", "AT_SEQUENCE_NUMBER"
]


class ShardSource(Protocol):
    kind: Literal["kinesis", "dynamodb"]
    stream_arn: str

    def shard_ids(self) -> list[str]: ...

    def iterator(
        self,
        shard_id: str,
        kind: IteratorType,
        *,
        sequence: str | None = None,
        timestamp: float | None = None,
    ) -> str: ...

    def read(self, iterator: str, limit: int) -> tuple[list[dict[str, Any]], str | None]: ...

    def event_record(self, record: dict[str, Any], shard_id: str) -> dict[str, Any]: ...


def sequence_of(record: dict[str, Any]) -> str:
    return str(record.get("SequenceNumber") or record["dynamodb"]["SequenceNumber"])


def arrival_of(record: dict[str, Any]) -> datetime.datetime:
    """When the record reached the stream (Kinesis's arrival, DynamoDB's creation time)."""
    moment = record.get("ApproximateArrivalTimestamp") or record.get("dynamodb", {}).get(
        "ApproximateCreationDateTime"
    )
    if isinstance(moment, datetime.datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
    if isinstance(moment, int | float):
        return datetime.datetime.fromtimestamp(moment, datetime.UTC)
    return datetime.datetime.now(datetime.UTC)


def _iterator_arguments(
    kind: IteratorType, sequence: str | None, timestamp: float | None
) -> dict[str, Any]:
    arguments: dict[str, Any] = {"ShardIteratorType": kind}
    if sequence is not None:
        arguments["StartingSequenceNumber"] = sequence
    if timestamp is not None:
        arguments["Timestamp"] = datetime.datetime.fromtimestamp(timestamp, datetime.UTC)
    return arguments


class _Shards:
    """What reading a Kinesis stream and a DynamoDB stream share: iterators and pages."""

    client: Any
    stream_arn: str

    def _stream(self) -> dict[str, str]:
        """How the service's API names the stream."""
        return {"StreamArn": self.stream_arn}

    def iterator(
        self,
        shard_id: str,
        kind: IteratorType,
        *,
        sequence: str | None = None,
        timestamp: float | None = None,
    ) -> str:
        arguments = _iterator_arguments(kind, sequence, timestamp)
        reply = self.client.get_shard_iterator(**self._stream(), ShardId=shard_id, **arguments)
        return str(reply["ShardIterator"])

    def read(self, iterator: str, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        reply = self.client.get_records(ShardIterator=iterator, Limit=limit)
        return list(reply.get("Records", [])), reply.get("NextShardIterator")


class KinesisShards(_Shards):
    kind: Literal["kinesis", "dynamodb"] = "kinesis"

    def __init__(self, kinesis: Any, stream_name: str, *, region: str, role_arn: str) -> None:
        self.client = kinesis
        self.stream_name = stream_name
        self.region = region
        self.role_arn = role_arn
        self.stream_arn = f"arn:aws:kinesis:{region}:{LOCAL_ACCOUNT_ID}:stream/{stream_name}"

    def _stream(self) -> dict[str, str]:
        return {"StreamName": self.stream_name}

    def shard_ids(self) -> list[str]:
        shards = self.client.list_shards(StreamName=self.stream_name)["Shards"]
        return [shard["ShardId"] for shard in shards]

    def event_record(self, record: dict[str, Any], shard_id: str) -> dict[str, Any]:
        sequence = str(record["SequenceNumber"])
        return {
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": record["PartitionKey"],
                "sequenceNumber": sequence,
                "data": base64.b64encode(record["Data"]).decode("ascii"),
                "approximateArrivalTimestamp": round(arrival_of(record).timestamp(), 3),
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": f"{shard_id}:{sequence}",
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": self.role_arn,
            "awsRegion": self.region,
            "eventSourceARN": self.stream_arn,
        }


class DynamoDbShards(_Shards):
    """A table's stream (DynamoDB Streams starts at TRIM_HORIZON or LATEST only)."""

    kind: Literal["kinesis", "dynamodb"] = "dynamodb"

    def __init__(self, streams: Any, stream_arn: str, *, region: str) -> None:
        self.client = streams
        self.stream_arn = stream_arn
        self.region = region

    def shard_ids(self) -> list[str]:
        description = self.client.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        return [shard["ShardId"] for shard in description.get("Shards", [])]

    def event_record(self, record: dict[str, Any], shard_id: str) -> dict[str, Any]:
        change = dict(record["dynamodb"])
        change["ApproximateCreationDateTime"] = int(arrival_of(record).timestamp())
        return {
            "eventID": record["eventID"],
            "eventName": record["eventName"],
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": record.get("awsRegion", self.region),
            "dynamodb": change,
            "eventSourceARN": self.stream_arn,
        }
