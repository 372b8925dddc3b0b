"""How an event source hands an event to a function and learns what happened.

Pollers and subscriptions see a function as one call, `deliver(payload) -> Reply`,
so they can be tested with any callable and run against `serve`'s warm pools.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wasmdeploy.local.pool import FunctionPool


@dataclass(frozen=True)
class Reply:
    """A synchronous invocation's answer, as an event source mapping sees it."""

    ok: bool  # False: a function error (X-Amz-Function-Error: Unhandled)
    payload: bytes  # the response, or the error JSON
    request_id: str = ""
    started_at: float | None = None  # time.monotonic() when the runtime took the event

    def json(self) -> object:
        """The payload as JSON, or as text when it is not JSON (as destinations show it)."""
        try:
            return json.loads(self.payload)
        except ValueError:
            return self.payload.decode("utf-8", errors="replace")


Deliver = Callable[[bytes], Reply]


def pool_delivery(pool: FunctionPool) -> Deliver:
    """Invoke through a function's warm sandboxes; a runtime that cannot start is an error."""

    def deliver(payload: bytes) -> Reply:
        try:
            outcome = pool.invoke(payload)
        except Exception as error:  # the runtime would not start, or the pool is closing
            body = {"errorType": "Runtime.Unavailable", "errorMessage": str(error)}
            return Reply(False, json.dumps(body).encode(), started_at=time.monotonic())
        invocation = outcome.invocation
        return Reply(
            ok=outcome.function_error is None,
            payload=outcome.payload,
            request_id=invocation.request_id,
            started_at=invocation.started_at,
        )

    return deliver
