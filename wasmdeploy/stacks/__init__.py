"""Pulumi stacks: model -> pulumi_aws resources, and the Automation API driver.

Only this package imports pulumi; import it lazily from the CLI.
"""
