"""`serve` takes a changed service while it runs: what changed restarts, requests finish."""

from __future__ import annotations

import http.client
import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from local_emulation_support import (
    LogCollector,
    make_function,
    make_service,
    python_emulator,
    write_handler,
)

from wasmdeploy.cli.serve_edge import edge_lines
from wasmdeploy.cli.serve_reload import ManifestReload
from wasmdeploy.local.reload import apply_reload, plan_reload
from wasmdeploy.manifest.model import (
    EdgeTrigger,
    EventResources,
    HttpRoute,
    ObjectOutput,
    Queue,
    S3Trigger,
    SqsTrigger,
)
from wasmdeploy.manifest.model import EventSources as Triggers

HANDLER = """
    import json, os, time

    def handler(event, context):
        if event["rawPath"] == "/slow":
            time.sleep(0.6)
        return {"statusCode": 200, "body": json.dumps({"greeting": os.environ.get("GREETING"),
                                                       "pid": os.getpid()})}
"""


def route(path: str) -> HttpRoute:
    return HttpRoute(kind="httpApi", method="GET", path=path)


def get(port: int, path: str) -> tuple[int, dict[str, object]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, json.loads(body) if response.status == 200 else {}


def test_requests_in_flight_finish_while_a_changed_function_and_new_route_load(
    tmp_path: Path,
) -> None:
    write_handler(tmp_path, HANDLER)
    routes = [route("/slow"), route("/hello")]
    api = make_function(tmp_path, "api", routes=routes, environment={"GREETING": "one"})
    old = make_service(tmp_path, api)
    extra = make_function(tmp_path, "extra", routes=[route("/new")])
    changed = replace(api, environment={"GREETING": "two"})
    new = make_service(tmp_path, changed, extra)
    emulator = python_emulator(old)
    emulator.start()
    try:
        assert emulator.api is not None
        port = emulator.api.server_address[1]
        pool = emulator.pools["api"]
        with ThreadPoolExecutor(max_workers=6) as executor:
            in_flight = [executor.submit(get, port, "/slow") for _ in range(6)]
            give_up = time.monotonic() + 20
            while pool.busy < 6 and time.monotonic() < give_up:  # every request has a sandbox
                time.sleep(0.01)
            plan = plan_reload(old, new)
            assert (plan.added, plan.changed, plan.removed) == (("extra",), ("api",), ())
            apply_reload(emulator, new, plan)
            answers = [future.result() for future in in_flight]
        assert all(status == 200 for status, _ in answers), answers
        assert {body["greeting"] for _, body in answers} == {"one"}
        status, body = get(port, "/hello")
        assert (status, body["greeting"]) == (200, "two")
        assert body["pid"] not in {b["pid"] for _, b in answers}  # a new sandbox
        assert emulator.pools["api"] is pool  # the same pool: event sources keep their target
        assert get(port, "/new")[0] == 200
        lines = emulator.notice.lines if isinstance(emulator.notice, LogCollector) else []
        assert any(line.startswith("GET /slow 200 (λ: api) ") for line in lines)
        assert any(line.startswith("GET /new 200 (λ: extra) ") for line in lines)

        apply_reload(emulator, old, plan_reload(new, old))  # the route and function go away
        assert "extra" not in emulator.pools
        assert get(port, "/new")[0] == 404
    finally:
        emulator.stop()


def test_a_route_change_alone_keeps_the_sandboxes(tmp_path: Path) -> None:
    api = make_function(tmp_path, "api", routes=[route("/a")])
    moved = replace(api, routes=(route("/b"),))
    plan = plan_reload(make_service(tmp_path, api), make_service(tmp_path, moved))
    assert plan.routes and not plan.changed and not plan.s3_triggers
    assert not plan.event_sources
    assert plan_reload(make_service(tmp_path, api), make_service(tmp_path, api)).empty


def test_an_edge_only_service_says_how_to_run_its_functions(tmp_path: Path) -> None:
    edge = make_function(tmp_path, "rewrite", edge=EdgeTrigger(event_type="origin-request"))
    lines = edge_lines(make_service(tmp_path, edge))
    assert "nothing else to serve" in lines[0]
    assert lines[1].strip() == (
        "wasmdeploy events cloudfront origin-request --uri / | wasmdeploy invoke rewrite --event -"
    )
    assert edge_lines(make_service(tmp_path, make_function(tmp_path, "api"))) == []


S3_HANDLER = """
    import boto3, urllib.parse

    def handler(event, context):
        record = event["Records"][0]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        boto3.client("s3").put_object(Bucket="reload-out", Key=key, Body=b"seen")
        return {}
"""


def test_a_changed_s3_trigger_and_timeout_set_the_local_s3_up_again(tmp_path: Path) -> None:
    write_handler(tmp_path, S3_HANDLER)
    trigger = S3Trigger(bucket="reload-in", events=("s3:ObjectCreated:*",), prefix="a/")
    function = make_function(
        tmp_path,
        "copy",
        s3_triggers=[trigger],
        output=ObjectOutput(bucket="reload-out", key="{key}"),
    )
    old = make_service(tmp_path, function)
    moved = replace(function, timeout=20, s3_triggers=(replace(trigger, prefix="b/"),))
    new = make_service(tmp_path, moved)
    emulator = python_emulator(old)
    emulator.start()
    try:
        plan = plan_reload(old, new)
        assert plan.s3_triggers and plan.changed == ("copy",)
        apply_reload(emulator, new, plan)  # the notification queue gets a longer visibility
        s3 = emulator.aws.client()
        s3.put_object(Bucket="reload-in", Key="a/old.txt", Body=b"x")
        s3.put_object(Bucket="reload-in", Key="b/new.txt", Body=b"x")
        give_up = time.monotonic() + 30
        while time.monotonic() < give_up:
            listed = s3.list_objects_v2(Bucket="reload-out").get("Contents", [])
            if listed:
                break
            time.sleep(0.05)
        time.sleep(0.5)  # the old prefix would have been delivered by now too
        keys = [item["Key"] for item in s3.list_objects_v2(Bucket="reload-out")["Contents"]]
        assert keys == ["b/new.txt"]
    finally:
        emulator.stop()


QUEUE_HANDLER = """
    import boto3

    def handler(event, context):
        for record in event["Records"]:
            boto3.client("s3").put_object(Bucket="reload-seen", Key=record["body"], Body=b"")
        return {}
"""


def test_a_new_sqs_trigger_is_polled_and_a_changed_queue_updated_after_a_reload(
    tmp_path: Path,
) -> None:
    write_handler(tmp_path, QUEUE_HANDLER)
    function = make_function(
        tmp_path,
        "jobs",
        output=ObjectOutput(bucket="reload-seen", key="{key}"),
    )
    first = replace(function, events=Triggers(sqs=(SqsTrigger(queue="reload-jobs"),)))
    queues = (Queue(name="reload-jobs", visibility_timeout=18),)
    old = replace(make_service(tmp_path, first), event_resources=EventResources(queues=queues))
    both = (SqsTrigger(queue="reload-jobs"), SqsTrigger(queue="reload-more", batch_size=1))
    second = replace(first, events=Triggers(sqs=both))
    # A longer timeout gives the queue a longer visibility timeout, which SQS cannot
    # create again: the queue is updated instead.
    second = replace(second, timeout=6)
    more = (Queue(name="reload-jobs", visibility_timeout=36), Queue("reload-more", 18))
    new = replace(make_service(tmp_path, second), event_resources=EventResources(queues=more))
    emulator = python_emulator(old)
    emulator.start()
    try:
        plan = plan_reload(old, new)
        assert plan.event_sources and plan.changed == ("jobs",) and not plan.routes
        apply_reload(emulator, new, plan)
        sqs, s3 = emulator.aws.client("sqs"), emulator.aws.client()
        jobs = sqs.get_queue_url(QueueName="reload-jobs")["QueueUrl"]
        settings = sqs.get_queue_attributes(QueueUrl=jobs, AttributeNames=["VisibilityTimeout"])
        assert settings["Attributes"]["VisibilityTimeout"] == "36"
        for queue, body in (("reload-jobs", "from-old"), ("reload-more", "from-new")):
            url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody=body)
        give_up, keys = time.monotonic() + 30, list[str]()
        while len(keys) < 2 and time.monotonic() < give_up:
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket="reload-seen").get("Contents", [])]
            time.sleep(0.05)
        assert sorted(keys) == ["from-new", "from-old"]
    finally:
        emulator.stop()


def test_a_deleted_or_invalid_manifest_keeps_the_running_service(tmp_path: Path) -> None:
    manifest = tmp_path / "wasmdeploy.yml"
    manifest.write_text("service: kept\nprovider: {name: aws}\nfunctions: {}\n")
    service = make_service(tmp_path, make_function(tmp_path, "api", routes=[route("/a")]))
    emulator = python_emulator(service)  # not started: nothing to apply when loads fail
    reload = ManifestReload(emulator, manifest, None, None)
    manifest.write_text("service: kept\nprovider: {name: aws, memorySize: lots}\n")
    assert reload.reload() is False
    manifest.unlink()
    assert reload.reload() is False
    assert emulator.service is service
    lines = emulator.notice.lines if isinstance(emulator.notice, LogCollector) else []
    assert any("invalid (2 errors)" in line for line in lines)
    assert any("provider.memorySize" in line for line in lines)
    assert any("not found; still serving the last good one" in line for line in lines)
