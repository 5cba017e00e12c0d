"""HR-3: a drafted contract version can be corrected and a drafted or submitted one withdrawn,
before the director signs. Two people working on the same draft: the second save (or a submit
of terms the submitter never read) is a conflict; nothing is overwritten silently."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from shared.auth import Role
from tests.services.contracts.helpers import API, night, set_up_hotel

ROOT = "/contracts"


def _terms(**overrides: Any) -> dict[str, Any]:
    terms = {"valid_from": night(1), "valid_to": night(60), "payment_arrangement": "net_prepaid"}
    return {**terms, **overrides}


async def _draft(desk: Any) -> dict[str, Any]:
    ids = await set_up_hotel(desk)
    response = await desk.post_json(f"{API}/hotels/{ids['hotel_id']}/contracts", _terms())
    assert response.status_code == 201, response.text
    return response.json()


async def _terms_of(sessionmaker: Any, version_id: str) -> dict[str, Any]:
    async with sessionmaker() as session:
        return dict(
            await session.scalar(
                text("SELECT terms FROM contracts.contract_version WHERE version_id = :id"),
                {"id": version_id},
            )
        )


async def test_hr3_second_edit_of_the_same_draft_revision_is_a_conflict(
    login_as, sessionmaker
) -> None:
    hua = await login_as("hua", Role.HOTEL_RESOURCES)
    jie = await login_as("jie", Role.HOTEL_RESOURCES)
    version = await _draft(hua)
    path = f"{API}/versions/{version['version_id']}"
    assert version["revision"] == 1

    first = await hua.request_json(
        "PUT", path, {"terms": _terms(cancellation_terms="Free until 18:00"), "revision": 1}
    )
    assert first.status_code == 200 and first.json()["revision"] == 2
    second = await jie.request_json(
        "PUT", path, {"terms": _terms(cancellation_terms="Non-refundable"), "revision": 1}
    )

    assert second.status_code == 409 and second.json()["fields"][0]["field"] == "revision"
    assert "Reload" in second.json()["detail"]
    assert (await _terms_of(sessionmaker, version["version_id"]))["cancellation_terms"] == (
        "Free until 18:00"
    )
    stale_submit = await jie.post_json(f"{path}/submit", {"revision": 1})
    assert stale_submit.status_code == 409
    assert (await jie.post_json(f"{path}/submit", {"revision": 2})).status_code == 200
    frozen = await hua.request_json("PUT", path, {"terms": _terms(), "revision": 2})
    assert frozen.status_code == 409 and "Only a drafted version" in frozen.json()["detail"]


async def test_hr3_withdrawn_version_stays_readable_and_frees_the_contract(
    login_as, sessionmaker
) -> None:
    hua = await login_as("hua", Role.HOTEL_RESOURCES)
    director = await login_as("wuhua", Role.RESOURCES_DIRECTOR)
    version = await _draft(hua)
    path = f"{API}/versions/{version['version_id']}"
    assert (await hua.post_json(f"{path}/submit", {})).status_code == 200

    no_reason = await hua.post_json(f"{path}/withdraw", {"reason": " "})
    assert no_reason.status_code == 422 and no_reason.json()["fields"][0]["field"] == "reason"
    withdrawn = await hua.post_json(f"{path}/withdraw", {"reason": "Hotel asked for new rates"})
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    too_late = await director.post_json(f"{path}/approve", {"note": "ok"})
    assert too_late.status_code == 409

    again = await hua.post_json(
        f"{API}/contracts/{version['contract_id']}/versions", _terms(valid_to=night(30))
    )
    assert again.status_code == 201 and again.json()["version_no"] == 2
    contract = (await hua.get(f"{API}/contracts/{version['contract_id']}")).json()
    assert [v["state"] for v in contract["versions"]] == ["drafted", "withdrawn"]
    async with sessionmaker() as session:
        actions = (
            await session.scalars(
                text(
                    "SELECT action FROM contracts.audit_log "
                    "WHERE entity = 'contract_version' ORDER BY audit_id"
                )
            )
        ).all()
    assert actions == ["draft", "submit", "withdraw", "draft"]


async def test_hr3_version_page_edits_terms_and_shows_a_stale_edit(login_as, sessionmaker) -> None:
    hua = await login_as("hua", Role.HOTEL_RESOURCES)
    jie = await login_as("jie", Role.HOTEL_RESOURCES)
    version = await _draft(hua)
    page_path = f"{ROOT}/versions/{version['version_id']}"
    page = await jie.get(page_path)
    assert "Correct the terms (revision 1)" in page.text
    form = {**_terms(guarantee_terms="5 rooms in exhibitions"), "revision": "1"}

    saved = await hua.post_form(f"{page_path}/edit", form)
    assert saved.status_code == 303, saved.text
    stale = await jie.post_form(f"{page_path}/edit", {**form, "guarantee_terms": "none"})

    assert stale.status_code == 409 and "Someone saved this draft" in stale.text
    assert "none" in stale.text  # jie's typing is kept on the page
    stored = await _terms_of(sessionmaker, version["version_id"])
    assert stored["guarantee_terms"] == "5 rooms in exhibitions"
    withdraw = await hua.post_form(f"{page_path}/withdraw", {"reason": "Duplicate"})
    assert withdraw.status_code == 303
    assert "withdrawn" in (await hua.get(page_path)).text


async def test_agent_cannot_edit_or_withdraw_a_draft(login_as, sessionmaker) -> None:
    hua = await login_as("hua", Role.HOTEL_RESOURCES)
    agent = await login_as("lina", Role.AGENT)
    version = await _draft(hua)
    path = f"{API}/versions/{version['version_id']}"
    edit = await agent.request_json("PUT", path, {"terms": _terms(), "revision": 1})
    withdraw = await agent.post_json(f"{path}/withdraw", {"reason": "x"})
    assert edit.status_code == 403 and withdraw.status_code == 403
    assert (await _terms_of(sessionmaker, version["version_id"])) == (await hua.get(path)).json()[
        "version"
    ]["terms"]
