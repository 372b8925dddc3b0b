"""Which pip requirement the generated workflows install: what pip recorded, at its commit."""

from __future__ import annotations

import pytest

from wasmdeploy.ci.install_spec import Provenance, install_requirement, remote_url
from wasmdeploy.errors import UserError

COMMIT = "42c31a56ace01a6e52fb992337eedf6a2dea1c86"


def test_from_a_package_index_it_is_the_exact_version() -> None:
    assert install_requirement(Provenance("0.3.1", None)) == "wasmdeploy==0.3.1"


def test_from_git_it_is_that_remote_at_the_installed_commit() -> None:
    direct = {
        "url": "https://github.com/acme/wasmdeploy.git",
        "vcs_info": {"vcs": "git", "commit_id": COMMIT, "requested_revision": "main"},
        "subdirectory": "tools/wasmdeploy",
    }
    assert install_requirement(Provenance("0.1.0", direct)) == (
        f"wasmdeploy @ git+https://github.com/acme/wasmdeploy.git@{COMMIT}"
        "#subdirectory=tools/wasmdeploy"
    )


def test_from_an_archive_url_it_is_that_url() -> None:
    direct = {"url": "https://example.com/wasmdeploy-0.1.0.tar.gz", "archive_info": {}}
    assert install_requirement(Provenance("0.1.0", direct)) == (
        "wasmdeploy @ https://example.com/wasmdeploy-0.1.0.tar.gz"
    )


def test_a_local_wheel_exists_only_here_and_asks_for_install() -> None:
    direct = {"url": "file:///home/me/dist/wasmdeploy-0.1.0-py3-none-any.whl", "archive_info": {}}
    with pytest.raises(UserError, match="exists only on this machine") as raised:
        install_requirement(Provenance("0.1.0", direct))
    assert raised.value.hint and "--install" in raised.value.hint


@pytest.mark.parametrize(
    ("remote", "url"),
    [
        ("git@github.com:acme/wasmdeploy.git", "https://github.com/acme/wasmdeploy.git"),
        ("https://github.com/acme/wasmdeploy", "https://github.com/acme/wasmdeploy"),
        ("file:///srv/git/wasmdeploy.git", "file://localhost/srv/git/wasmdeploy.git"),
        ("/srv/git/wasmdeploy.git", "file://localhost/srv/git/wasmdeploy.git"),
    ],
)
def test_git_remotes_are_written_as_pip_parses_them(remote: str, url: str) -> None:
    assert remote_url(remote) == url
