"""What a model coach cost in a session: tokens, money, time, fallbacks.

Read from the records only, like every metric: the ``usage`` a model's turn
leaves on its ``coach_says`` (see coach/llm.py) and the ``coach_fallback``
actions. A session coached by the scripted coach alone has none
(:func:`coach_usage_of` returns None).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mock_interviewer_lab.events import Record


@dataclass(frozen=True)
class CoachUsage:
    #: The model named in the records.
    model: str | None
    #: Turns the model was asked to answer (its own replies and fallbacks).
    turns: int
    #: Turns the scripted coach answered instead (timeout, error, ...).
    fallbacks: int
    fallback_reasons: dict[str, int]
    #: Sums over the turns that reported them; None when none did.
    tokens_in: int | None
    tokens_out: int | None
    #: Sum over the turns whose price litellm knows; None when it knows none.
    cost_usd: float | None
    #: Turns with tokens but no known price.
    turns_without_cost: int
    latency_ms_p50: float | None
    latency_ms_p95: float | None
    latency_ms_max: float | None
    tool_calls: dict[str, int]
    tool_rounds: int
    #: Sentences shown as they streamed, before their reply was complete.
    streamed_sentences: int
    #: The seqs of the coach_says and coach_fallback records it comes from.
    evidence: tuple[int, ...] = field(default_factory=tuple)


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 2)


def coach_usage_of(rows: Iterable[tuple[int, Record]]) -> CoachUsage | None:
    turns: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    fallbacks: list[tuple[int, dict[str, Any]]] = []
    for seq, r in rows:
        if r.type == "coach_says" and isinstance(r.data.get("usage"), dict):
            turns.append((seq, r.data, r.data["usage"]))
        elif r.type == "coach_fallback":
            fallbacks.append((seq, r.data))
    if not turns and not fallbacks:
        return None
    usages = [u for _, _, u in turns]
    tokens_in = [int(u["tokens_in"]) for u in usages if u.get("tokens_in") is not None]
    tokens_out = [int(u["tokens_out"]) for u in usages if u.get("tokens_out") is not None]
    costs = [float(u["cost_usd"]) for u in usages if u.get("cost_usd") is not None]
    latencies = [float(u["latency_ms"]) for u in usages if u.get("latency_ms") is not None]
    tools: dict[str, int] = {}
    for u in usages:
        for name in u.get("tools") or []:
            tools[str(name)] = tools.get(str(name), 0) + 1
    reasons: dict[str, int] = {}
    for _, d in fallbacks:
        reason = str(d.get("reason", "unknown"))
        reasons[reason] = reasons.get(reason, 0) + 1
    model = next((str(u["model"]) for u in usages if u.get("model")), None) or next(
        (str(d["model"]) for _, d in fallbacks if d.get("model")), None)
    return CoachUsage(
        model=model,
        turns=len(turns) or len(fallbacks),
        fallbacks=len(fallbacks),
        fallback_reasons=reasons,
        tokens_in=sum(tokens_in) if tokens_in else None,
        tokens_out=sum(tokens_out) if tokens_out else None,
        cost_usd=round(sum(costs), 8) if costs else None,
        turns_without_cost=sum(1 for u in usages if u.get("cost_usd") is None
                               and (u.get("tokens_in") is not None
                                    or u.get("tokens_out") is not None)),
        latency_ms_p50=_pct(latencies, 0.5),
        latency_ms_p95=_pct(latencies, 0.95),
        latency_ms_max=round(max(latencies), 2) if latencies else None,
        tool_calls=tools,
        tool_rounds=sum(int(u.get("tool_rounds") or 0) for u in usages),
        streamed_sentences=sum(int(d.get("streamed") or 0) for _, d, _ in turns),
        evidence=tuple(sorted([s for s, _, _ in turns] + [s for s, _ in fallbacks])),
    )


def describe_usage(u: CoachUsage) -> str:
    """One line for the report's figures."""
    parts = [f"{u.model or 'model'}: {u.turns} turn{'s' if u.turns != 1 else ''}"]
    if u.tokens_in is not None or u.tokens_out is not None:
        parts.append(f"{u.tokens_in or 0} tokens in, {u.tokens_out or 0} out")
    parts.append("cost unknown" if u.cost_usd is None else f"${u.cost_usd:.4f}")
    if u.latency_ms_p50 is not None:
        parts.append(f"latency p50 {u.latency_ms_p50:.0f} ms, p95 {u.latency_ms_p95:.0f} ms")
    if u.fallbacks:
        why = ", ".join(f"{k} {v}" for k, v in sorted(u.fallback_reasons.items()))
        parts.append(f"{u.fallbacks} answered by the scripted coach ({why})")
    return "; ".join(parts)
