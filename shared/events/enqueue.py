"""Enqueue a batch of event jobs in one Redis round trip, and say what became of each.

arq's ``enqueue_job`` costs a WATCH/MULTI round trip per job and answers only "enqueued" or
None. None hides two different cases: the job is still queued or running (fine: it will
run), or arq keeps its finished result under that id (for ``keep_result`` seconds) and
refused the new one. If that kept result is a failure, marking the outbox row relayed would
silently drop the event. So this writes arq's own job format (``arq.jobs.serialize_job``,
arq's key prefixes) with a Lua script that, per job and atomically, enqueues it or reports
which case holds; a failed kept result gets the next id of a deterministic series
(``…:retry1``, ``…:retry2``), so a relay restarted mid-batch finds the same ids again and
runs nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Any

from arq.connections import ArqRedis
from arq.constants import expires_extra_ms, job_key_prefix, result_key_prefix
from arq.jobs import deserialize_result, serialize_job
from arq.utils import timestamp_ms

from shared.events.failures import RETRY_MARK

HANDLE_EVENT_JOB = "handle_event"
# A batch of one relayed outbox batch's events for one service (``shared.events.consumer``).
HANDLE_EVENTS_JOB = "handle_events"
MAX_RETRY_IDS = 50

# KEYS: job key, result key, queue key, per job; ARGV: serialized job, score, job id, per job.
_ENQUEUE_MANY = """
local answers = {}
local expires = tonumber(ARGV[1])
for i = 0, (#KEYS / 3) - 1 do
  local job_key, result_key, queue_key = KEYS[i*3+1], KEYS[i*3+2], KEYS[i*3+3]
  if redis.call('EXISTS', job_key) == 1 then
    answers[i+1] = 1
  elseif redis.call('EXISTS', result_key) == 1 then
    answers[i+1] = 2
  else
    redis.call('PSETEX', job_key, expires, ARGV[i*3+2])
    redis.call('ZADD', queue_key, tonumber(ARGV[i*3+3]), ARGV[i*3+4])
    answers[i+1] = 0
  end
end
return answers
"""


class Outcome(IntEnum):
    ENQUEUED = 0
    PENDING = 1  # the same job id is queued, deferred for a retry, or running
    FINISHED = 2  # arq keeps a finished job's result under that id


@dataclass(frozen=True)
class EventJob:
    """One arq job: ``function(envelope, **kwargs)``; ``envelope`` is a list of envelopes for
    ``HANDLE_EVENTS_JOB``. ``defer_ms`` holds it back, as a retry's backoff does."""

    job_id: str
    queue: str
    envelope: Any
    function: str = HANDLE_EVENT_JOB
    kwargs: dict[str, Any] = field(default_factory=dict)
    defer_ms: int = 0


async def enqueue_many(redis: ArqRedis, jobs: Sequence[EventJob]) -> list[Outcome]:
    """Enqueue ``jobs`` in one round trip; each one's outcome, in order."""
    if not jobs:
        return []
    now = timestamp_ms()
    keys: list[str] = []
    args: list[Any] = [expires_extra_ms]
    for job in jobs:
        keys += [job_key_prefix + job.job_id, result_key_prefix + job.job_id, job.queue]
        body = serialize_job(
            job.function, (job.envelope,), job.kwargs, None, now, serializer=redis.job_serializer
        )
        args += [body, now + job.defer_ms, job.job_id]
    answers = await redis.eval(_ENQUEUE_MANY, len(keys), *keys, *args)  # type: ignore[misc]
    return [Outcome(int(a)) for a in answers]


async def failed_result(redis: ArqRedis, job_id: str) -> bool:
    """True if arq keeps a result for ``job_id`` and it is a failure."""
    raw = await redis.get(result_key_prefix + job_id)
    if raw is None:
        return False
    return not deserialize_result(raw, deserializer=redis.job_deserializer).success


async def enqueue_delivering(redis: ArqRedis, jobs: Sequence[EventJob]) -> int:
    """Enqueue ``jobs`` so that each event will run or has run successfully: a job whose
    kept result is a failure is enqueued again under the next id of its retry series.
    Returns how many jobs were newly enqueued."""
    enqueued = 0
    pending = list(jobs)
    for attempt in range(1, MAX_RETRY_IDS + 1):
        outcomes = await enqueue_many(redis, pending)
        enqueued += outcomes.count(Outcome.ENQUEUED)
        failed = [
            job
            for job, outcome in zip(pending, outcomes, strict=True)
            if outcome is Outcome.FINISHED and await failed_result(redis, job.job_id)
        ]
        if not failed:
            return enqueued
        base = [job.job_id.split(RETRY_MARK)[0] for job in failed]
        pending = [
            replace(job, job_id=f"{b}{RETRY_MARK}{attempt}")
            for b, job in zip(base, failed, strict=True)
        ]
    raise RuntimeError(f"{len(pending)} events failed under {MAX_RETRY_IDS} job ids")
