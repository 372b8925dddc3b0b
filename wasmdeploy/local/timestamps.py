"""AWS's ISO-8601 timestamp with milliseconds, in UTC: `2019-11-14T18:16:05.568Z`.

The form Lambda's log lines, S3 and SNS events and the failure records of the
event sources carry; the runtime's own log lines use `wasmdeploy_runtime.guest_log`.
"""

from __future__ import annotations

import datetime


def iso_milliseconds(at: datetime.datetime | None = None) -> str:
    """`at` (now when None; an aware datetime) as 2019-11-14T18:16:05.568Z."""
    when = (at or datetime.datetime.now(datetime.UTC)).astimezone(datetime.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
