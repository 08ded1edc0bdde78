"""Prometheus metrics of this process (`GET /metrics` beside `/healthz`): updates handled, answer latency,
unexpected failures, the inbox backlog, and waits the platforms' rate limits imposed. One registry per process,
made on first use (nothing at import)."""

from __future__ import annotations

import functools

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter("articlebot_updates_handled", "Events the core answered", ("platform", "kind"),
                               registry=self.registry)
        self.latency = Histogram("articlebot_answer_seconds", "Time the core took to answer an event",
                                 ("platform",), buckets=LATENCY_BUCKETS, registry=self.registry)
        self.errors = Counter("articlebot_errors", "Events answered with an apology (an unexpected failure)",
                              ("platform",), registry=self.registry)
        self.backlog = Gauge("articlebot_inbox_backlog", "Updates stored and not yet done", ("platform",),
                             registry=self.registry)
        self.waits = Counter("articlebot_rate_limit_waits", "Requests a platform's rate limit made wait",
                             ("platform",), registry=self.registry)

    def observe(self, platform: str, kind: str, seconds: float, failed: bool) -> None:
        self.updates.labels(platform, kind).inc()
        self.latency.labels(platform).observe(seconds)
        if failed:
            self.errors.labels(platform).inc()

    def rate_limited(self, platform: str) -> None:
        self.waits.labels(platform).inc()

    def render(self, backlogs: dict[str, int]) -> bytes:
        for platform, count in backlogs.items():
            self.backlog.labels(platform).set(count)
        return generate_latest(self.registry)


@functools.cache
def metrics() -> Metrics:
    """This process's metrics."""
    return Metrics()
