"""Shared settings for the indicator arithmetic tests: a modest, deadline-free hypothesis
profile so the whole unit run stays fast and does not flake on a slow machine."""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "indicators",
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("indicators")
