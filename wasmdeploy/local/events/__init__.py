"""Sample AWS events, as `wasmdeploy events` prints them and the emulators send them."""

from wasmdeploy.local.events.catalog import catalog, event_spec, render_event

__all__ = ["catalog", "event_spec", "render_event"]
