"""`python -m wasmdeploy` runs the CLI (useful where the console script is not on PATH)."""

from wasmdeploy.cli.main import main

main()
