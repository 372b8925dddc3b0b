"""Local emulation: Lambda Runtime API, invoke, serve, events, local S3."""
