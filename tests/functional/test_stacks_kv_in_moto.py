"""Key-value stores' tables and access, from the Pulumi program run against moto."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator

import pytest
from moto import mock_aws
from moto_reads import DeployedStack as Deployed
from stacks_factories import make_artifacts
from stacks_moto_mocks import MotoMocks

from tests.functional.kv_modules import VISITS
from tests.functional.runtime_modules import wasm
from wasmdeploy.build.config import runtime_config_bytes
from wasmdeploy.manifest.load import load_service
from wasmdeploy.stacks.mocked_run import run_mocked

REGION = "eu-west-1"
MANIFEST = """\
service: shop
provider:
  name: aws
  region: eu-west-1
kv:
  sessions:
    ttl: 1d
  carts:
    retain: false
functions:
  counter:
    handler: visits.wasm
    kv: [default, sessions]
  checkout:
    handler: visits.wasm
    kv: [carts]
  plain:
    handler: echo.wasm
"""


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    root = tmp_path_factory.mktemp("shop")
    (root / "visits.wasm").write_bytes(wasm(VISITS))
    (root / "echo.wasm").write_bytes(wasm('(module (func (export "_start")))'))
    (root / "wasmdeploy.yml").write_text(textwrap.dedent(MANIFEST))
    service = load_service(root / "wasmdeploy.yml")
    artifacts = make_artifacts(service, root / "out")
    with pytest.MonkeyPatch.context() as patch:
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            patch.setenv(key, "testing")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        with mock_aws():
            yield Deployed(service, run_mocked(service, artifacts, MotoMocks(service.region)))


def test_each_store_is_an_on_demand_encrypted_table_named_service_stage_store(
    deployed: Deployed,
) -> None:
    dynamodb = deployed.client("dynamodb")
    assert sorted(dynamodb.list_tables()["TableNames"]) == [
        "shop-dev-carts",
        "shop-dev-default",
        "shop-dev-sessions",
    ]
    table = dynamodb.describe_table(TableName="shop-dev-sessions")["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert table["SSEDescription"]["Status"] == "ENABLED"


def test_tables_have_point_in_time_recovery(deployed: Deployed) -> None:
    dynamodb = deployed.client("dynamodb")
    for table in ("shop-dev-carts", "shop-dev-default", "shop-dev-sessions"):
        backups = dynamodb.describe_continuous_backups(TableName=table)
        recovery = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
        assert recovery["PointInTimeRecoveryStatus"] == "ENABLED", table


def test_retained_tables_are_protected_and_kept_on_destroy(deployed: Deployed) -> None:
    dynamodb = deployed.client("dynamodb")
    protected = {
        name: dynamodb.describe_table(TableName=name)["Table"]["DeletionProtectionEnabled"]
        for name in ("shop-dev-default", "shop-dev-carts")
    }
    assert protected == {"shop-dev-default": True, "shop-dev-carts": False}
    retained = {
        r.inputs["name"]: r.retain_on_delete
        for r in deployed.run.resources
        if r.type == "aws:dynamodb/table:Table"
    }
    assert retained == {
        "shop-dev-default": True,
        "shop-dev-sessions": True,
        "shop-dev-carts": False,
    }


def test_a_store_with_a_ttl_expires_items_on_their_expiry_attribute(deployed: Deployed) -> None:
    dynamodb = deployed.client("dynamodb")
    ttl = dynamodb.describe_time_to_live(TableName="shop-dev-sessions")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expiresAt"}
    plain = dynamodb.describe_time_to_live(TableName="shop-dev-default")["TimeToLiveDescription"]
    assert plain["TimeToLiveStatus"] == "DISABLED"


def test_a_function_may_use_exactly_its_own_stores_items(deployed: Deployed) -> None:
    arn = f"arn:aws:dynamodb:{REGION}:123456789012:table/shop-dev-"
    [counter] = [s for s in deployed.role_policies("counter") if s.get("Sid") == "KeyValueStores"]
    assert counter["Resource"] == [f"{arn}default", f"{arn}sessions"]
    assert counter["Action"] == [
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Scan",
        "dynamodb:UpdateItem",
    ]
    [checkout] = [s for s in deployed.role_policies("checkout") if s.get("Sid") == "KeyValueStores"]
    assert checkout["Resource"] == [f"{arn}carts"]
    assert not any("dynamodb" in json.dumps(s) for s in deployed.role_policies("plain"))


def test_the_function_package_not_its_environment_names_its_tables(deployed: Deployed) -> None:
    config = json.loads(runtime_config_bytes(deployed.service.function("counter")))
    assert config["kv"] == {
        "default": {"table": "shop-dev-default", "ttl": None},
        "sessions": {"table": "shop-dev-sessions", "ttl": 86400},
    }
    code = deployed.client("lambda").get_function(FunctionName="shop-dev-counter")
    assert code["Configuration"].get("Environment", {}).get("Variables", {}) == {}
    assert deployed.run.outputs["kvTables"] == {
        "sessions": "shop-dev-sessions",
        "carts": "shop-dev-carts",
        "default": "shop-dev-default",
    }
