"""moto's control API (`/moto-api/...`): reset its state, configure its backends."""

from __future__ import annotations

import json
import urllib.request


def moto_api(endpoint: str, path: str, body: object | None = None) -> None:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{endpoint}/moto-api/{path}", data=data, method="POST")
    urllib.request.urlopen(request)
