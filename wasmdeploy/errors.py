"""The one error type for user mistakes.

A `UserError` is printed as a clean `Error: ...` line and exits 1. Anything
else that escapes a command is a bug: the CLI prints the traceback and asks for
a report.
"""

from __future__ import annotations


class UserError(Exception):
    """A mistake the user can fix: bad input, missing tool, missing file.

    `hint` says what to do about it; it is printed on its own line.
    """

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"
