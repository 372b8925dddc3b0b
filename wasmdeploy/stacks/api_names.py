"""Names shared by the service's APIs: API Gateway's principal and logical-name slugs."""

from __future__ import annotations

APIGATEWAY_PRINCIPAL = "apigateway.amazonaws.com"


def slugify(text: str) -> str:
    """Lowercase letters and digits joined by single dashes ("root" when none are left)."""
    kept = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(part for part in kept.split("-") if part) or "root"
