"""Telling people a run ended: a signed POST to the project's webhook (retried, recorded, resumed after a restart) and
a live feed of run ends for the browsers that are open. Both hang off the event bus's `finished` events, so the run
service knows nothing of them (docs/notifications.md)."""
