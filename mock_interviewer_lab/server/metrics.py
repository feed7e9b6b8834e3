"""The server's Prometheus metrics, on jupyter-server's own ``/metrics``.

jupyter-server serves ``prometheus_client``'s default registry at
``<base_url>metrics``; metrics registered there appear beside its own.
Counters and histograms are module-level (a process registers a name once);
the gauges are read from every live :class:`MetricsSource` when Prometheus
scrapes, so two servers in one process (tests) add up instead of
overwriting each other, and a closed server stops counting.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from typing import Protocol

from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

PREFIX = "mock_interviewer"

#: Seconds from a run entering the queue to its result, by kind (tests or
#: growth); the buckets span a warm run (tens of ms) to a queue under load.
RUN_SECONDS = Histogram(
    f"{PREFIX}_run_seconds",
    "Seconds from a sandbox run being queued to its result (queue wait included)",
    ["kind"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
RUN_WAIT_SECONDS = Histogram(
    f"{PREFIX}_run_queue_wait_seconds",
    "Seconds a sandbox run waited in the queue for a kernel",
    ["kind"],
    buckets=(0.005, 0.025, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
RUNS_REJECTED = Counter(
    f"{PREFIX}_runs_rejected",
    "Submissions answered 503 because the run queue was full",
)
GROWTH_CACHE_HITS = Counter(
    f"{PREFIX}_growth_cache_hits",
    "Growth measurements answered from the cache (same problem, same code)",
)
SANDBOX_STARTS = Counter(
    f"{PREFIX}_sandbox_starts",
    "Sandbox harness starts (the first run, and the first run after an idle stop)",
)
SANDBOX_IDLE_STOPS = Counter(
    f"{PREFIX}_sandbox_idle_stops",
    "Sandbox harness stops after harness.idle_stop_s without a run",
)
SANDBOX_RESTARTS = Counter(
    f"{PREFIX}_sandbox_restarts",
    "Sandbox kernels restarted because they died or hung during a run",
)
SESSIONS_EVICTED = Counter(
    f"{PREFIX}_sessions_evicted",
    "Sessions dropped from memory (ended, idle or over the table's bound); "
    "they are read back from the store on demand",
)


class MetricsSource(Protocol):
    """What a server reports for the gauges, read at scrape time."""

    def metric_values(self) -> dict[str, float]: ...


#: gauge name -> help; each source reports a value under these names.
GAUGES: dict[str, str] = {
    "run_queue_depth": "Sandbox runs waiting for a kernel",
    "runs_in_progress": "Sandbox runs being run now",
    "submissions_in_flight": "Submissions admitted and not yet answered",
    "sandbox_kernels_running": "Sandbox kernels running",
    "active_sessions": "Interview sessions in memory that have not ended",
    "live_sessions": "Interview sessions in memory (ended ones included)",
    "connected_frontends": "Session WebSockets open",
}


class _GaugeCollector(Collector):
    def __init__(self) -> None:
        self._sources: weakref.WeakSet[MetricsSource] = weakref.WeakSet()
        self._lock = threading.Lock()

    def add(self, source: MetricsSource) -> None:
        with self._lock:
            self._sources.add(source)

    def remove(self, source: MetricsSource) -> None:
        with self._lock:
            self._sources.discard(source)

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            sources = list(self._sources)
        totals = dict.fromkeys(GAUGES, 0.0)
        for source in sources:
            for name, value in source.metric_values().items():
                if name in totals:
                    totals[name] += value
        for name, help_text in GAUGES.items():
            yield GaugeMetricFamily(f"{PREFIX}_{name}", help_text, value=totals[name])

    def describe(self) -> Iterator[Metric]:
        # Names only, so the registry can check for duplicates without a scrape.
        for name, help_text in GAUGES.items():
            yield GaugeMetricFamily(f"{PREFIX}_{name}", help_text)


GAUGE_COLLECTOR = _GaugeCollector()
REGISTRY.register(GAUGE_COLLECTOR)


def register_source(source: MetricsSource) -> None:
    GAUGE_COLLECTOR.add(source)


def unregister_source(source: MetricsSource) -> None:
    GAUGE_COLLECTOR.remove(source)
