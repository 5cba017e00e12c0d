"""Cron jobs run at business hours (CS-4's 09:00 mailing, PAY-5's 02:00 statements), not at
the hours of whatever zone the worker's machine is set to."""

from __future__ import annotations

from datetime import datetime

from services.members.tasks import members_worker_settings
from services.payments.tasks import payments_worker_settings


def test_workers_schedule_cron_jobs_in_the_business_time_zone() -> None:
    for settings in (members_worker_settings(), payments_worker_settings()):
        zone = settings["timezone"]
        assert getattr(zone, "key", None) == "Asia/Shanghai"
        assert datetime(2026, 12, 6, 1, 0, tzinfo=zone).utcoffset().total_seconds() == 8 * 3600


def test_members_cron_jobs_are_the_feature_packages() -> None:
    names = {job.name for job in members_worker_settings()["cron_jobs"]}
    assert {"cron:activate_due_job", "cron:expire_due_job", "cron:make_today_batch_job"} <= names
    assert "cron:refresh_job" in names  # the inactive members' worklist (CS-4)
