"""Lambda's size limits, applied to built artifacts."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmdeploy.build.limits import (
    MB,
    check_edge_package,
    check_unzipped_total,
    direct_upload_warning,
    human_size,
)
from wasmdeploy.build.zips import Artifact
from wasmdeploy.errors import UserError


def artifact(size: int, unzipped: int | None = None) -> Artifact:
    return Artifact(Path("a.zip"), "hash", size, unzipped)


def test_zips_over_50_mb_warn_that_they_need_an_s3_upload() -> None:
    assert direct_upload_warning("layer", artifact(50 * MB)) is None
    warning = direct_upload_warning("layer", artifact(50 * MB + 1))
    assert warning is not None and "through S3" in warning


def test_a_function_and_its_layers_may_unzip_to_250_mb_and_no_more() -> None:
    assert check_unzipped_total("f", [artifact(1, 200 * MB), artifact(1, 50 * MB)]) is None
    with pytest.raises(UserError, match="250 MB"):
        check_unzipped_total("f", [artifact(1, 200 * MB), artifact(1, 50 * MB + 1)])


def test_unbuilt_artifacts_do_not_count_towards_the_limit() -> None:
    unbuilt = Artifact(Path("l.zip"), None, None)
    assert check_unzipped_total("f", [artifact(1, 250 * MB), unbuilt, unbuilt]) is None
    with pytest.raises(UserError, match="250 MB"):
        check_unzipped_total("f", [artifact(1, 250 * MB), unbuilt, artifact(1, 1)])


def test_edge_origin_packages_are_limited_to_50_mb() -> None:
    assert check_edge_package("edge", artifact(50 * MB)) is None
    assert check_edge_package("edge", Artifact(Path("e.zip"), None, None)) is None  # unbuilt
    with pytest.raises(UserError, match="Lambda@Edge"):
        check_edge_package("edge", artifact(50 * MB + 1))


@pytest.mark.parametrize(
    ("size", "text"), [(None, "-"), (512, "512 B"), (1536, "1.5 KB"), (9 * MB // 2, "4.5 MB")]
)
def test_human_sizes(size: int | None, text: str) -> None:
    assert human_size(size) == text
