"""Prometheus metrics of one service process, in a registry of its own (nothing shared between apps)."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = r = CollectorRegistry(auto_describe=True)
        self.decisions = Counter("riskengine_decisions", "Assessments answered, by risk level and engine",
                                 ["risk_level", "engine"], registry=r)
        self.latency = Histogram("riskengine_request_duration_seconds", "Time to answer a request, by route",
                                 ["route", "method"], buckets=LATENCY_BUCKETS, registry=r)
        self.responses = Counter("riskengine_responses", "Responses, by route and status code",
                                 ["route", "status"], registry=r)
        self.reloads = Counter("riskengine_reloads", "Ruleset loads and reloads, by result", ["result"], registry=r)
        self.ruleset = Gauge("riskengine_ruleset_info", "The ruleset serving (value 1), with its version",
                             ["version", "source"], registry=r)
        self.loaded_at = Gauge("riskengine_ruleset_loaded_timestamp_seconds",
                               "When the serving ruleset was loaded (Unix time)", registry=r)
        self.assess_cpu = Counter("riskengine_assessment_cpu_seconds", "CPU time spent in assessments themselves "
                                  "(thread time: parsing the case, assessing, writing the JSON; no HTTP)", registry=r)
        self.log_dropped = Counter("riskengine_decision_log_dropped", "Decision records not written: the queue "
                                   "was full or the file could not be written", registry=r)

    def on_reload(self, result: str, current) -> None:
        self.reloads.labels(result=result).inc()
        if current is not None:
            self.ruleset.clear()
            self.ruleset.labels(version=current.version, source=current.source).set(1)
            self.loaded_at.set(current.loaded_at.timestamp())

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
