"""The service's region, from provider.region or --region alike, names an AWS region.

A name of the wrong form is an error; a well-formed name that botocore's endpoint
data does not list for Lambda is a warning (AWS opens regions faster than an
installed botocore learns of them). Both suggest the closest known region.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import re
from functools import cache
from pathlib import Path

from wasmdeploy.manifest.problems import Problems

# us-east-1, us-gov-west-1, us-isob-east-1, eusc-de-east-1
REGION_NAME = re.compile(r"^[a-z]{2,}(-[a-z]+)+-[0-9]+$")


def check_region(region: str, from_cli: bool, problems: Problems) -> None:
    """The effective region, from provider.region or --region alike, names an AWS region."""
    known = _known_regions()
    if region in known:
        return
    where = "--region " if from_cli else ""
    close = difflib.get_close_matches(region.lower().replace("_", "-"), known, n=1, cutoff=0.6)
    suggestion = f"Did you mean {close[0]}?" if close else "For example: us-east-1, eu-west-1."
    if not REGION_NAME.match(region):
        problems.error(
            ("provider", "region"),
            f"{where}'{region}' is not an AWS region name (like us-east-1 or eu-west-1)",
            hint=suggestion,
        )
    elif known:
        problems.warning(
            ("provider", "region"),
            f"{where}'{region}' is not a region Lambda is known to run in "
            "(a region newer than this botocore is fine)",
            hint=suggestion,
        )


@cache
def _known_regions() -> tuple[str, ...]:
    """Every region botocore's endpoint data lists Lambda in, across AWS's partitions (read
    from its data file: importing botocore would cost validate a fifth of a second)."""
    spec = importlib.util.find_spec("botocore")
    if spec is None or spec.origin is None:
        return ()
    try:
        data = json.loads((Path(spec.origin).parent / "data" / "endpoints.json").read_text())
        return tuple(
            sorted(
                region
                for partition in data["partitions"]
                for region, endpoint in partition["services"]["lambda"]["endpoints"].items()
                if "fips" not in region and not endpoint.get("deprecated")
            )
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return ()  # another layout of botocore's data: the name's form is still checked
