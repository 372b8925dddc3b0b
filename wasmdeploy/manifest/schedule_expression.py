"""EventBridge schedule expressions: `rate(5 minutes)` and `cron(0 12 * * ? *)`.

`parse` returns a `Rate` or a `Cron`, or raises `ScheduleError` saying what is
wrong, by EventBridge's grammar: six cron fields (minutes, hours, day of month,
month, day of week, year), names for months (JAN-DEC) and days (SUN-SAT, 1 is
Sunday), `L` / `W` in the day of month, `L` / `#` in the day of week, and
exactly one of the two day fields `?`. Both forms compute their next fire time
(`next_after`), in whatever time zone the given datetime is in (EventBridge
rules use UTC; EventBridge Scheduler the schedule's time zone).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
RATE_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
MAX_SEARCH_DAYS = 366 * 30  # a cron that cannot fire within 30 years never fires

_RATE = re.compile(r"^rate\((.*)\)$")
_CRON = re.compile(r"^cron\((.*)\)$")


class ScheduleError(ValueError):
    """A schedule expression EventBridge would refuse; the message says why."""


@dataclass(frozen=True)
class Rate:
    """`rate(N unit)`: fires every `seconds`, counted from when the schedule was created."""

    expression: str
    value: int
    unit: str  # minute | hour | day (singular)

    @property
    def seconds(self) -> int:
        return self.value * RATE_UNITS[self.unit]

    def next_after(self, moment: datetime, start: datetime | None = None) -> datetime:
        """The first fire strictly after `moment`, for a schedule that started at `start`."""
        origin = start or moment
        period = timedelta(seconds=self.seconds)
        if moment < origin:
            return origin + period
        elapsed = (moment - origin) // period
        return origin + (elapsed + 1) * period


@dataclass(frozen=True)
class DaySpec:
    """A day-of-month or day-of-week field: `?`, `*`, numbers, or `L`/`W`/`#` forms."""

    text: str
    unrestricted: bool  # `?` or `*`
    values: frozenset[int] = frozenset()  # days of month 1-31, or weekdays 1-7 (1 = Sunday)
    last: bool = False  # `L`: the last day of the month
    last_weekday: bool = False  # `LW`: the last weekday (Mon-Fri) of the month
    nearest_weekday: int | None = None  # `15W`: the weekday nearest the 15th, within the month
    last_of_weekday: int | None = None  # `6L`: the last Friday of the month
    nth_weekday: tuple[int, int] | None = None  # `3#2`: (Tuesday, second) of the month


@dataclass(frozen=True)
class Cron:
    """`cron(minutes hours day-of-month month day-of-week year)`, each field resolved."""

    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    day_of_month: DaySpec
    months: frozenset[int]
    day_of_week: DaySpec
    years: frozenset[int] | None  # None: every year

    def runs_on(self, day: date) -> bool:
        if day.month not in self.months or (self.years is not None and day.year not in self.years):
            return False
        if not self.day_of_month.unrestricted:
            return _month_day_matches(self.day_of_month, day)
        if not self.day_of_week.unrestricted:
            return _week_day_matches(self.day_of_week, day)
        return True

    def next_after(self, moment: datetime) -> datetime:
        """The first fire strictly after `moment` (same time zone as `moment`)."""
        start = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.date()
        for _ in range(MAX_SEARCH_DAYS):
            if self.runs_on(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = start.replace(
                            year=day.year, month=day.month, day=day.day, hour=hour, minute=minute
                        )
                        if candidate >= start:
                            return candidate
            day += timedelta(days=1)
        raise ScheduleError(f"{self.expression} never fires")


Schedule = Rate | Cron


def _iso_weekday(weekday: int) -> int:
    """EventBridge's 1 (Sunday) - 7 (Saturday) as Python's 0 (Monday) - 6 (Sunday)."""
    return (weekday + 5) % 7


def _month_day_matches(spec: DaySpec, day: date) -> bool:
    last = calendar.monthrange(day.year, day.month)[1]
    if day.day in spec.values or (spec.last and day.day == last):
        return True
    if spec.last_weekday:
        target = last
        while date(day.year, day.month, target).weekday() >= 5:
            target -= 1
        return day.day == target
    if spec.nearest_weekday is not None:
        return day.day == _nearest_weekday(day.year, day.month, spec.nearest_weekday)
    return False


def _nearest_weekday(year: int, month: int, wanted: int) -> int:
    last = calendar.monthrange(year, month)[1]
    target = min(wanted, last)
    weekday = date(year, month, target).weekday()
    if weekday == 5:  # Saturday: the Friday before, unless that leaves the month
        return target - 1 if target > 1 else target + 2
    if weekday == 6:  # Sunday: the Monday after, unless that leaves the month
        return target + 1 if target < last else target - 2
    return target


def _week_day_matches(spec: DaySpec, day: date) -> bool:
    weekday = day.weekday()
    if any(_iso_weekday(value) == weekday for value in spec.values):
        return True
    last = calendar.monthrange(day.year, day.month)[1]
    if spec.last and weekday == 5:  # `L` alone in day-of-week: Saturday, the week's last day
        return True
    if spec.last_of_weekday is not None:
        return _iso_weekday(spec.last_of_weekday) == weekday and day.day + 7 > last
    if spec.nth_weekday is not None:
        wanted, nth = spec.nth_weekday
        return _iso_weekday(wanted) == weekday and (day.day - 1) // 7 + 1 == nth
    return False


def _number(text: str, low: int, high: int, names: tuple[str, ...], field: str) -> int:
    upper = text.upper()
    if upper in names:
        return names.index(upper) + 1
    if not text.isdigit():
        raise ScheduleError(f"'{text}' in the {field} field is not a number from {low} to {high}")
    value = int(text)
    if not low <= value <= high:
        raise ScheduleError(f"{value} in the {field} field is outside {low}-{high}")
    return value


def _numbers(
    text: str, low: int, high: int, field: str, names: tuple[str, ...] = ()
) -> frozenset[int]:
    """A field of `*`, `5`, `1-5`, `0/15`, `*/10`, `MON-FRI`, `1,15,30`."""
    values: set[int] = set()
    for part in text.split(","):
        body, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) < 1:
                raise ScheduleError(f"the step '/{step_text}' in the {field} field must be >= 1")
            step = int(step_text)
        if body == "*":
            first, last = low, high
        elif "-" in body:
            start, _, end = body.partition("-")
            first = _number(start, low, high, names, field)
            last = _number(end, low, high, names, field)
        else:
            first = _number(body, low, high, names, field)
            last = high if step_text else first
        if first > last:
            raise ScheduleError(f"the range '{body}' in the {field} field runs backwards")
        values.update(range(first, last + 1, step))
    return frozenset(values)


def _day_of_month(text: str) -> DaySpec:
    field = "day-of-month"
    if text in ("?", "*"):
        return DaySpec(text, unrestricted=True)
    if text == "L":
        return DaySpec(text, unrestricted=False, last=True)
    if text == "LW":
        return DaySpec(text, unrestricted=False, last_weekday=True)
    if text.endswith("W"):
        return DaySpec(
            text, unrestricted=False, nearest_weekday=_number(text[:-1], 1, 31, (), field)
        )
    return DaySpec(text, unrestricted=False, values=_numbers(text, 1, 31, field))


def _day_of_week(text: str) -> DaySpec:
    field = "day-of-week"
    if text in ("?", "*"):
        return DaySpec(text, unrestricted=True)
    if text == "L":
        return DaySpec(text, unrestricted=False, last=True)
    if text.endswith("L"):
        weekday = _number(text[:-1], 1, 7, WEEKDAYS, field)
        return DaySpec(text, unrestricted=False, last_of_weekday=weekday)
    if "#" in text:
        weekday_text, _, nth_text = text.partition("#")
        weekday = _number(weekday_text, 1, 7, WEEKDAYS, field)
        nth = _number(nth_text, 1, 5, (), "day-of-week '#'")
        return DaySpec(text, unrestricted=False, nth_weekday=(weekday, nth))
    return DaySpec(text, unrestricted=False, values=_numbers(text, 1, 7, field, WEEKDAYS))


def parse_rate(expression: str, body: str) -> Rate:
    parts = body.split()
    if len(parts) != 2:
        raise ScheduleError("a rate is 'rate(VALUE UNIT)', e.g. rate(5 minutes)")
    value_text, unit = parts
    if not value_text.isdigit() or int(value_text) < 1:
        raise ScheduleError(f"the rate's value '{value_text}' must be a whole number >= 1")
    value = int(value_text)
    singular = unit[:-1] if unit.endswith("s") else unit
    if singular not in RATE_UNITS:
        raise ScheduleError(f"the rate's unit '{unit}' must be minute(s), hour(s) or day(s)")
    if value == 1 and unit != singular:
        raise ScheduleError(f"a rate of 1 takes the singular unit: rate(1 {singular})")
    if value > 1 and unit == singular:
        raise ScheduleError(f"a rate above 1 takes the plural unit: rate({value} {singular}s)")
    return Rate(expression, value, singular)


def parse_cron(expression: str, body: str) -> Cron:
    fields = body.split()
    if len(fields) != 6:
        raise ScheduleError(
            f"a cron has 6 fields (minutes hours day-of-month month day-of-week year), "
            f"this one has {len(fields)}"
        )
    minutes, hours, dom, month, dow, year = fields
    if dom == "?" and dow == "?":
        raise ScheduleError(
            "day-of-month (3rd field) and day-of-week (5th field) cannot both be '?': "
            "put '*' or a value in one of them"
        )
    if dom != "?" and dow != "?":
        raise ScheduleError(
            "day-of-month (3rd field) and day-of-week (5th field) cannot both be set: "
            "one of them must be '?', e.g. cron(0 12 * * ? *)"
        )
    return Cron(
        expression=expression,
        minutes=_numbers(minutes, 0, 59, "minutes"),
        hours=_numbers(hours, 0, 23, "hours"),
        day_of_month=_day_of_month(dom),
        months=_numbers(month, 1, 12, "month", MONTHS),
        day_of_week=_day_of_week(dow),
        years=None if year == "*" else _numbers(year, 1970, 2199, "year"),
    )


def parse(expression: str) -> Schedule:
    """A `Rate` or `Cron`; `ScheduleError` says what EventBridge would object to."""
    text = expression.strip()
    rate = _RATE.match(text)
    if rate:
        return parse_rate(text, rate.group(1))
    cron = _CRON.match(text)
    if cron:
        return parse_cron(text, cron.group(1))
    raise ScheduleError("a schedule is 'rate(VALUE UNIT)' or 'cron(FIELDS)'")
