"""AWS naming rules the manifest's names must follow: S3 buckets, Lambda function names."""

from __future__ import annotations

import re

LAMBDA_NAME_MAX = 64
_BUCKET_CHARS = re.compile(r"^[a-z0-9.-]+$")
_IP_ADDRESS = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_LAMBDA_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def bucket_name_problem(name: str) -> str | None:
    """Why `name` breaks S3's general-purpose bucket naming rules, or None if it follows them."""
    if "${" in name:
        return "it still contains an unresolved variable"
    if not 3 <= len(name) <= 63:
        return f"it is {len(name)} characters long; bucket names have 3 to 63"
    if not _BUCKET_CHARS.match(name):
        bad = sorted({c for c in name if not re.match(r"[a-z0-9.-]", c)})
        shown = " ".join(repr(c) for c in bad)
        return f"it contains {shown}; only lower-case letters, digits, dots and hyphens are allowed"
    if not (name[0].isalnum() and name[-1].isalnum()):
        return "it must begin and end with a letter or digit"
    if ".." in name:
        return "it has two adjacent periods"
    if _IP_ADDRESS.match(name):
        return "it is formatted as an IP address"
    for prefix in _RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f"the prefix '{prefix}' is reserved by S3"
    for suffix in _RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return f"the suffix '{suffix}' is reserved by S3"
    return None


def suggest_bucket_name(name: str) -> str:
    """A close name that follows the rules (used in hints): always one `bucket_name_problem`
    accepts, so a hint never suggests another invalid name."""
    text = name
    for _ in range(8):  # each pass removes something; a few reach a fixed point
        previous = text
        text = re.sub(r"[^a-z0-9.-]+", "-", text.lower())
        text = re.sub(r"\.\.+", ".", text).strip(".-")
        if _IP_ADDRESS.match(text):
            text = text.replace(".", "-")
        for prefix in _RESERVED_PREFIXES:
            text = text.removeprefix(prefix)
        for suffix in _RESERVED_SUFFIXES:
            text = text.removesuffix(suffix)
        text = text.strip(".-")[:63].strip(".-")
        if len(text) < 3:
            text = f"{text}-bucket" if text else "my-bucket"
        if text == previous:
            break
    return text if bucket_name_problem(text) is None else "my-bucket"


def lambda_name_problem(name: str) -> str | None:
    """Why `name` cannot be a Lambda function name, or None."""
    if len(name) > LAMBDA_NAME_MAX:
        return f"it is {len(name)} characters long; Lambda allows at most {LAMBDA_NAME_MAX}"
    if not _LAMBDA_NAME.match(name):
        return "Lambda function names may only contain letters, digits, hyphens and underscores"
    return None
