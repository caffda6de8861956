"""Fixtures the unit tests share."""

from tests.fakes.service_harness import harness  # noqa: F401  (the run service on a real database, a fake runner)
