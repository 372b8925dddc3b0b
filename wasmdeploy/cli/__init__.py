"""Command-line interface. Each command parses options and calls a plain function."""
