"""Guest log lines: prefixed like Lambda's Node.js runtime's, one line per line, printable."""

from __future__ import annotations

from wasmdeploy_runtime.guest_log import guest_lines, printable

NOW = 1_700_000_000.25  # 2023-11-14T22:13:20.250Z


def test_each_line_gets_the_time_the_request_id_and_the_level() -> None:
    assert guest_lines(b"one\ntwo\n", "req-1", now=NOW) == (
        b"2023-11-14T22:13:20.250Z\treq-1\tINFO\tone\n2023-11-14T22:13:20.250Z\treq-1\tINFO\ttwo\n"
    )


def test_a_line_imitating_the_metric_line_or_a_report_line_stays_a_guest_line() -> None:
    lines = guest_lines(b'{"_aws":{}}\nREPORT RequestId: x\rEND RequestId: x', "r", now=NOW)
    for line in lines.decode().splitlines():
        assert line.startswith("2023-11-14T22:13:20.250Z\tr\tINFO\t")
    assert b"\r" not in lines and b"\\rEND RequestId" in lines


def test_control_characters_and_unicode_line_separators_are_escaped() -> None:
    assert printable("a\x1b[2Kb\x00c\u2028d\u2029e\x85f\tg") == (
        "a\\x1b[2Kb\\x00c\\u2028d\\u2029e\\x85f\tg"
    )
    assert printable("x\ny\rz") == "x\\ny\\rz"


def test_invalid_utf8_is_replaced_not_dropped() -> None:
    assert guest_lines(b"\xff ok", "r", now=NOW).endswith("\ufffd ok\n".encode())


def test_a_missing_request_id_is_shown_as_a_dash() -> None:
    assert b"\t-\tINFO\t" in guest_lines(b"x", "", now=NOW)
