"""Which branch deploys to which stage: `--stage main=prod --stage develop=dev`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from wasmdeploy.errors import UserError

DEFAULT_MAPPINGS = (("main", "prod"),)

# A stage names a Pulumi stack, a GitHub environment and part of every Lambda name.
STAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
# A literal git branch: no glob characters (the deploy job compares refs exactly).
BRANCH_NAME = re.compile(r"^(?!/)(?!.*//)(?!.*\.\.)[A-Za-z0-9._/-]+(?<![/.])$")


@dataclass(frozen=True)
class StageMapping:
    branch: str
    stage: str

    @property
    def ref(self) -> str:
        """The `github.ref` of a push to the branch."""
        return f"refs/heads/{self.branch}"


def check_stage_name(stage: str) -> str:
    if not STAGE_NAME.match(stage):
        raise UserError(
            f"invalid stage name {stage!r}",
            hint="a stage is 1-63 letters, digits, '-' or '_', starting with a letter or digit.",
        )
    return stage


def check_branch_name(branch: str) -> str:
    if not BRANCH_NAME.match(branch):
        raise UserError(
            f"invalid branch name {branch!r}",
            hint="give a literal branch name such as main or release/v2 (no wildcards).",
        )
    return branch


def parse_stage_mapping(text: str) -> StageMapping:
    branch, separator, stage = text.partition("=")
    if not separator or not branch.strip() or not stage.strip():
        raise UserError(
            f"--stage {text!r} is not BRANCH=STAGE",
            hint="for example: --stage main=prod --stage develop=dev",
        )
    return StageMapping(check_branch_name(branch.strip()), check_stage_name(stage.strip()))


def parse_stage_mappings(texts: Iterable[str]) -> tuple[StageMapping, ...]:
    """Parse every `BRANCH=STAGE`; none given means main deploys to prod."""
    mappings = [parse_stage_mapping(text) for text in texts]
    if not mappings:
        return tuple(StageMapping(branch, stage) for branch, stage in DEFAULT_MAPPINGS)
    seen: dict[str, str] = {}
    for mapping in mappings:
        if mapping.branch in seen:
            raise UserError(
                f"branch {mapping.branch!r} is mapped twice "
                f"(to {seen[mapping.branch]!r} and {mapping.stage!r})",
                hint="a branch deploys to exactly one stage.",
            )
        seen[mapping.branch] = mapping.stage
    return tuple(mappings)
