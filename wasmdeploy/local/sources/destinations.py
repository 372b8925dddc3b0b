"""Send a destination record to what its ARN names on the local AWS: a queue, a topic or a bus.

Lambda's destinations may be an SQS queue, an SNS topic, an EventBridge bus
or another function; the local AWS serves the first three, and a function of
the same service is reached through its asynchronous invocation queue.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

from wasmdeploy.local.lambda_environment import LOCAL_ACCOUNT_ID

ClientFor = Callable[[str], Any]  # service name -> boto3 client of the local AWS
FunctionSubmit = Callable[[bytes], None]


class DestinationError(Exception):
    """The record was not written: the local AWS refused it (try again later)."""


class DestinationUnreachable(DestinationError):
    """The ARN names nothing served here (another account's function, a service not run
    locally): trying again cannot help."""


class Destinations:
    """Writes records to destination ARNs; one per emulator, clients made once."""

    def __init__(
        self, client_for: ClientFor, functions: Mapping[str, FunctionSubmit] | None = None
    ) -> None:
        self._client_for = client_for
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.functions: dict[str, FunctionSubmit] = dict(functions or {})  # by function ARN

    def send(self, arn: str, record: Mapping[str, Any], *, success: bool = False) -> None:
        body = json.dumps(record)
        service, resource = _service_and_resource(arn)
        try:
            if service == "sqs":
                sqs = self._client("sqs")
                url = sqs.get_queue_url(QueueName=resource, QueueOwnerAWSAccountId=LOCAL_ACCOUNT_ID)
                sqs.send_message(QueueUrl=url["QueueUrl"], MessageBody=body)
            elif service == "sns":
                self._client("sns").publish(TopicArn=arn, Message=body)
            elif service == "events":
                outcome = "Success" if success else "Failure"
                reply = self._client("events").put_events(
                    Entries=[
                        {
                            "Source": "lambda",
                            "DetailType": f"Lambda Function Invocation Result - {outcome}",
                            "Detail": body,
                            "EventBusName": arn,
                            "Resources": [record.get("requestContext", {}).get("functionArn", "")],
                        }
                    ]
                )
                if reply.get("FailedEntryCount"):
                    raise DestinationError(f"{arn} refused the event: {reply['Entries']}")
            elif service == "lambda" and arn.removesuffix(":$LATEST") in self.functions:
                self.functions[arn.removesuffix(":$LATEST")](body.encode())
            else:
                raise DestinationUnreachable(
                    f"{arn} is not a queue, topic, bus or function served here"
                )
        except DestinationError:
            raise
        except Exception as error:  # the local AWS refused: say which destination and why
            raise DestinationError(f"cannot write to {arn}: {error}") from error

    def _client(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self._client_for(service)
            return self._clients[service]


def _service_and_resource(arn: str) -> tuple[str, str]:
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        raise DestinationUnreachable(f"{arn!r} is not an ARN")
    service, resource = parts[2], parts[5]
    return service, resource.removeprefix("event-bus/")
