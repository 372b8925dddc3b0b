"""A local API Gateway: routing, request events (payload 1.0 / 2.0) and response mapping."""
