"""EventBridge's rate and cron grammar, and the next fire times computed from it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wasmdeploy.manifest.schedule_expression import Cron, Rate, ScheduleError, parse


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [
        ("rate(1 minute)", 60),
        ("rate(5 minutes)", 300),
        ("rate(1 hour)", 3600),
        ("rate(2 days)", 172800),
    ],
)
def test_rate_reads_value_and_unit(expression: str, seconds: int) -> None:
    schedule = parse(expression)
    assert isinstance(schedule, Rate)
    assert schedule.seconds == seconds


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("rate(1 minutes)", "singular"),
        ("rate(5 minute)", "plural"),
        ("rate(0 minutes)", ">= 1"),
        ("rate(5 weeks)", "minute(s), hour(s) or day(s)"),
        ("rate(5)", "rate(VALUE UNIT)"),
        ("cron(0 12 * * * *)", "cannot both be set"),
        ("cron(0 12 ? * ? *)", "cannot both be '?'"),
        ("cron(0 12 * * ?)", "6 fields"),
        ("cron(60 * * * ? *)", "outside 0-59"),
        ("cron(0 24 * * ? *)", "outside 0-23"),
        ("cron(0 0 32 * ? *)", "outside 1-31"),
        ("cron(0 0 ? 13 MON *)", "outside 1-12"),
        ("cron(0 0 ? * 8 *)", "outside 1-7"),
        ("cron(0 0 ? * FOO *)", "not a number"),
        ("cron(0 0 ? * 2#6 *)", "outside 1-5"),
        ("cron(0 0 * * ? 1969)", "outside 1970-2199"),
        ("cron(0/0 * * * ? *)", "step"),
        ("cron(0 10-5 * * ? *)", "backwards"),
        ("every 5 minutes", "rate(VALUE UNIT)"),
    ],
)
def test_expressions_eventbridge_refuses_say_why(expression: str, reason: str) -> None:
    with pytest.raises(ScheduleError, match=re.escape(reason)):
        parse(expression)


def test_cron_fields_accept_names_ranges_lists_and_steps() -> None:
    cron = parse("cron(0/15 9-17 ? JAN,MAR-APR MON-FRI 2027)")
    assert isinstance(cron, Cron)
    assert cron.minutes == {0, 15, 30, 45}
    assert cron.hours == set(range(9, 18))
    assert cron.months == {1, 3, 4}
    assert cron.day_of_week.values == {2, 3, 4, 5, 6}
    assert cron.years == {2027}


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("cron(0 12 * * ? *)", "2026-12-01T13:00", "2026-12-02T12:00"),
        ("cron(0 12 * * ? *)", "2026-12-01T11:59:30", "2026-12-01T12:00"),
        ("cron(0/15 9-17 ? * MON-FRI *)", "2026-12-05T13:00", "2026-12-07T09:00"),  # Sat -> Mon
        ("cron(0 10 L * ? *)", "2027-02-01T00:00", "2027-02-28T10:00"),
        ("cron(0 10 LW * ? *)", "2027-01-01T00:00", "2027-01-29T10:00"),  # 31st is a Sunday
        ("cron(0 10 15W * ? *)", "2027-05-01T00:00", "2027-05-14T10:00"),  # 15th is a Saturday
        ("cron(0 10 1W * ? *)", "2027-05-01T00:00", "2027-05-03T10:00"),  # 1st Sat -> Mon 3rd
        ("cron(0 10 ? * 6L *)", "2027-01-01T00:00", "2027-01-29T10:00"),  # last Friday
        ("cron(0 10 ? * 3#2 *)", "2027-01-01T00:00", "2027-01-12T10:00"),  # second Tuesday
        ("cron(30 8 1 JAN ? 2030)", "2026-12-01T00:00", "2030-01-01T08:30"),
    ],
)
def test_cron_next_fire_time(expression: str, after: str, expected: str) -> None:
    cron = parse(expression)
    assert isinstance(cron, Cron)
    assert cron.next_after(at(after)) == at(expected)


def test_cron_that_can_never_fire_says_so() -> None:
    cron = parse("cron(0 0 30 FEB ? *)")
    assert isinstance(cron, Cron)
    with pytest.raises(ScheduleError, match="never fires"):
        cron.next_after(at("2026-01-01T00:00"))


def test_rate_fires_on_its_period_from_the_start() -> None:
    rate = parse("rate(5 minutes)")
    assert isinstance(rate, Rate)
    start = at("2026-12-01T10:00")
    assert rate.next_after(at("2026-12-01T10:07"), start) == at("2026-12-01T10:10")
    assert rate.next_after(start, start) == at("2026-12-01T10:05")


def _field(draw: st.DrawFn, low: int, high: int) -> str:
    kind = draw(st.sampled_from(["*", "value", "range", "step", "list"]))
    if kind == "*":
        return "*"
    first = draw(st.integers(low, high))
    if kind == "value":
        return str(first)
    if kind == "range":
        return f"{first}-{draw(st.integers(first, high))}"
    if kind == "step":
        return f"{first}/{draw(st.integers(1, max(1, high - low)))}"
    return ",".join(
        str(v) for v in sorted(draw(st.sets(st.integers(low, high), min_size=1, max_size=3)))
    )


@st.composite
def crons(draw: st.DrawFn) -> str:
    minutes, hours = _field(draw, 0, 59), _field(draw, 0, 23)
    days = draw(st.sampled_from(["dom", "dow"]))
    dom = _field(draw, 1, 28) if days == "dom" else "?"
    dow = _field(draw, 1, 7) if days == "dow" else "?"
    return f"cron({minutes} {hours} {dom} * {dow} *)"


def _fires_at(cron: Cron, moment: datetime) -> bool:
    return moment.minute in cron.minutes and moment.hour in cron.hours and cron.runs_on(moment)


@settings(max_examples=60, deadline=None)
@given(expression=crons(), offset=st.integers(0, 7 * 24 * 60))
def test_next_fire_is_the_first_matching_minute(expression: str, offset: int) -> None:
    cron = parse(expression)
    assert isinstance(cron, Cron)
    moment = at("2027-03-01T00:00") + timedelta(minutes=offset, seconds=30)
    fire = cron.next_after(moment)
    assert fire > moment and fire.second == 0 and _fires_at(cron, fire)
    probe = moment.replace(second=0) + timedelta(minutes=1)
    for _ in range(min(int((fire - probe).total_seconds() // 60), 3 * 24 * 60)):
        assert not _fires_at(cron, probe), (expression, probe)
        probe += timedelta(minutes=1)
