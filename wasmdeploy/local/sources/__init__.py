"""Event sources on the local AWS: the pollers and subscriptions that run functions as Lambda does.

One concept per module: `delivery` (how an event reaches a function),
`queue_events` / `stream_records` (the events AWS builds), `failure_records`
and `destinations` (where failures go), `sqs_poller`, `stream_poller`,
`async_queue` (asynchronous invocation with retries), `scheduler`, and
`wiring` (the manifest's event sources turned into those parts).
"""
