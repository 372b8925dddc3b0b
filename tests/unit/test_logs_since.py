"""`logs --since` takes a relative duration or an ISO time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wasmdeploy.errors import UserError
from wasmdeploy.stacks.logs import log_group_name, parse_since

NOW = datetime(2026, 11, 23, 22, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10m", datetime(2026, 11, 23, 21, 50, tzinfo=UTC)),
        ("30s", datetime(2026, 11, 23, 21, 59, 30, tzinfo=UTC)),
        ("2h", datetime(2026, 11, 23, 20, 0, tzinfo=UTC)),
        ("1d", datetime(2026, 11, 22, 22, 0, tzinfo=UTC)),
        ("1.5H", datetime(2026, 11, 23, 20, 30, tzinfo=UTC)),
    ],
)
def test_relative_since_counts_back_from_now(text: str, expected: datetime) -> None:
    assert parse_since(text, NOW) == expected


def test_iso_since_is_an_absolute_time() -> None:
    assert parse_since("2026-11-23T21:00:00Z", NOW) == datetime(2026, 11, 23, 21, tzinfo=UTC)
    assert parse_since("2026-11-23T21:00:00", NOW) == datetime(2026, 11, 23, 21, tzinfo=UTC)


def test_unreadable_since_is_a_user_error() -> None:
    with pytest.raises(UserError) as raised:
        parse_since("yesterday", NOW)
    assert "--since" in raised.value.message
    assert raised.value.hint and "10m" in raised.value.hint


def test_log_group_is_lambdas_default_for_the_deployed_name() -> None:
    assert log_group_name("images-dev-processImage") == "/aws/lambda/images-dev-processImage"
