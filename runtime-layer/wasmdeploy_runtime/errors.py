"""Function errors as Lambda reports them: an `errorType`, a message, a stack trace.

A `FunctionError` fails one invocation; an `InitError` fails the runtime's
initialisation (missing module, invalid WASM, forbidden import, missing
export) and is posted to the Runtime API's `init/error`.
"""

from __future__ import annotations

import json

# Invocation error types.
WASM_TRAP = "WasmTrap"
WASM_EXIT = "WasmExit"
WASM_TIMEOUT = "WasmTimeout"
WASM_MEMORY_LIMIT = "WasmMemoryLimit"
WASM_STACK_OVERFLOW = "WasmStackOverflow"
WASM_FUEL_EXHAUSTED = "WasmFuelExhausted"
WASM_OUTPUT_TOO_LARGE = "WasmOutputTooLarge"
S3_OBJECT_ERROR = "S3ObjectError"
INVALID_EVENT = "InvalidEvent"

# Init error types.
WASM_MODULE_NOT_FOUND = "WasmModuleNotFound"
WASM_INVALID_MODULE = "WasmInvalidModule"
WASM_FORBIDDEN_IMPORT = "WasmForbiddenImport"
WASM_MISSING_EXPORT = "WasmMissingExport"
WASM_INVALID_CONFIG = "WasmInvalidConfig"


def one_line(error: BaseException) -> str:
    """The error's message on one line (wasmtime's messages span several)."""
    return " ".join(line.strip() for line in str(error).splitlines() if line.strip())


class FunctionError(Exception):
    """One failed invocation, in the shape of Lambda's error payload."""

    def __init__(self, error_type: str, message: str, stack_trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.stack_trace = stack_trace or []

    def to_dict(self) -> dict[str, object]:
        return {
            "errorType": self.error_type,
            "errorMessage": self.message,
            "stackTrace": self.stack_trace,
        }

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict()).encode()

    def __str__(self) -> str:
        return f"{self.error_type}: {self.message}"


class InitError(FunctionError):
    """The function cannot start: reported once, to `init/error`."""
