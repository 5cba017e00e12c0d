"""SL-5 / CS-3: when a complaint's answers are due. The members service stamps the due times
on ``members.complaint_routed``; metrics watches them; both read this one rule.

A complaint filed at ``filed_at`` reaches the department's findings by 17:00 that day (by
17:00 the next day when filed at or after 17:00); the member is answered the same day, else
has a progress answer within 12 hours and the final answer within 24 hours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from shared.clock import Clock, clock

DEPARTMENT_BY = time(17, 0)
PROGRESS_WITHIN = timedelta(hours=12)
FINAL_WITHIN = timedelta(hours=24)


def _at(day: date, moment: time, business: Clock) -> datetime:
    return datetime.combine(day, moment, tzinfo=business.business_tz)


def complaint_due(filed_at: datetime, *, business: Clock = clock) -> dict[str, datetime]:
    """The three due times: ``department``, ``progress`` and ``final``."""
    local = business.local(filed_at)
    department_day = local.date()
    if local.timetz().replace(tzinfo=None) >= DEPARTMENT_BY:
        department_day += timedelta(days=1)
    return {
        "department": _at(department_day, DEPARTMENT_BY, business),
        "progress": filed_at + PROGRESS_WITHIN,
        "final": filed_at + FINAL_WITHIN,
    }


def same_day_end(filed_at: datetime, *, business: Clock = clock) -> datetime:
    """The end of the business day the complaint was filed on: a final answer before it
    means no progress answer was owed."""
    day = business.local(filed_at).date() + timedelta(days=1)
    return _at(day, time(0, 0), business)
