"""Pulumi stacks: model -> pulumi_aws resources, and the Automation API driver.

- `program`: `build_program(service, artifacts)`, the components it declares
  (`layer`, `function`, `buckets`, `s3_triggers`, `http_api`, `rest_api`, `cdn`)
  and the IAM documents they use (`policies`, pure data).
- `mocked_run`, `plan_mocks`, `plan`: the program under Pulumi's mocks (`plan`).
- `automation`, `progress`: preview / up / destroy / refresh / outputs.
- `remote`, `logs`: boto3 only (`invoke --remote`, `logs`); they never import pulumi.

This package's `__init__` imports nothing: import the module you need, lazily
from the CLI, so light commands do not pay for pulumi's import.
"""
