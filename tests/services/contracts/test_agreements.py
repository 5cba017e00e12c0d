"""HR-1, HR-3, HR-4: hotel contracts and supplementary agreements take effect only when a
resources director other than their maker signs; every version stays readable; a margin under
10% needs a written reason and is flagged to the director."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import text

from shared.auth import Role
from tests.services.contracts.helpers import API, night, set_up_hotel

ROOT = "/contracts"


def terms(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "valid_from": night(1),
        "valid_to": night(60),
        "payment_arrangement": "net_prepaid",
        "monthly_settlement": True,
        "deposit_held_minor": 500000,
        "cancellation_terms": "Free until 18:00 on the day of arrival",
        "guarantee_terms": "10 rooms a night during exhibitions",
    }
    return {**body, **overrides}


async def _hotel(desk, net: int = 8000, sell: int = 10000) -> str:
    """A hotel priced on nights 1..30 at the given net and sell (margin (sell-net)/sell)."""
    ids = await set_up_hotel(desk)
    prices = {"rate_plan_id": ids["rate_plan_id"], "first_night": night(1), "last_night": night(30)}
    response = await desk.request_json(
        "PUT", f"{API}/rates", {**prices, "net_minor": net, "sell_minor": sell}
    )
    assert response.status_code == 200, response.text
    return ids["hotel_id"]


async def _draft(desk, hotel_id: str, **overrides: Any) -> dict[str, Any]:
    response = await desk.post_json(f"{API}/hotels/{hotel_id}/contracts", terms(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


async def _submit(desk, version_id: str, reason: str = "") -> Any:
    return await desk.post_json(
        f"{API}/versions/{version_id}/submit", {"low_margin_reason": reason}
    )


async def _approve(director, version_id: str) -> Any:
    return await director.post_json(f"{API}/versions/{version_id}/approve", {"note": "Signed"})


async def _effective(desk, contract_id: str) -> str | None:
    return (await desk.get(f"{API}/contracts/{contract_id}")).json()["effective_version_id"]


async def _rows(sessionmaker, query: str) -> list[Any]:
    async with sessionmaker() as session:
        return list(await session.execute(text(query)))


async def test_hr3_contract_takes_effect_only_when_another_director_approves(
    login_as, sessionmaker
) -> None:
    resources = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    director = await login_as("wuhua", Role.RESOURCES_DIRECTOR)
    hotel_id = await _hotel(resources)
    version = await _draft(resources, hotel_id)
    assert version["state"] == "drafted" and version["kind"] == "contract"
    submitted = await _submit(resources, version["version_id"])
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    assert submitted.json()["submitted_margin"] == "0.2000"
    assert await _effective(resources, version["contract_id"]) is None

    approved = await _approve(director, version["version_id"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["decided_by"] == "wuhua"
    assert await _effective(resources, version["contract_id"]) == version["version_id"]
    audit = await _rows(
        sessionmaker,
        "SELECT action, actor, before, after FROM contracts.audit_log "
        "WHERE entity = 'contract_version' ORDER BY audit_id",
    )
    assert [(a.action, a.actor) for a in audit] == [
        ("draft", "zhoujie"),
        ("submit", "zhoujie"),
        ("approve", "wuhua"),
    ]
    assert audit[2].before["state"] == "submitted" and audit[2].after["state"] == "approved"
    assert audit[2].after["effective_version_id"] == version["version_id"]


async def test_hr3_drafter_cannot_approve_own_contract_even_as_director(
    login_as, sessionmaker
) -> None:
    drafter = await login_as("wuhua", Role.RESOURCES_DIRECTOR)
    resources = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    other = await login_as("lina", Role.RESOURCES_DIRECTOR)
    version = await _draft(drafter, await _hotel(drafter))
    version_id = version["version_id"]
    assert (await _submit(drafter, version_id)).status_code == 200

    own = await _approve(drafter, version_id)
    assert own.status_code == 403 and own.json()["error"] == "forbidden"
    own_page = await drafter.post_form(f"{ROOT}/versions/{version_id}/approve", {})
    assert own_page.status_code == 403 and "you drafted or submitted" in own_page.text
    own_reject = await drafter.post_json(f"{API}/versions/{version_id}/reject", {"note": "x"})
    assert own_reject.status_code == 403
    assert (await _approve(resources, version_id)).status_code == 403
    state = await _rows(sessionmaker, "SELECT state FROM contracts.contract_version")
    assert [s.state for s in state] == ["submitted"]

    assert (await _approve(other, version_id)).status_code == 200
    assert await _effective(other, version["contract_id"]) == version_id


async def test_hr3_approved_supplement_supersedes_and_old_versions_stay_readable(
    login_as,
) -> None:
    resources = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    director = await login_as("wuhua", Role.RESOURCES_DIRECTOR)
    first = await _draft(resources, await _hotel(resources))
    await _submit(resources, first["version_id"])
    await _approve(director, first["version_id"])

    amended = terms(payment_arrangement="pay_at_hotel_commission", commission_percent="12.5")
    response = await resources.post_json(
        f"{API}/contracts/{first['contract_id']}/versions", amended
    )
    assert response.status_code == 201, response.text
    supplement = response.json()
    assert supplement["kind"] == "supplement" and supplement["version_no"] == 2
    detail = (await resources.get(f"{API}/versions/{supplement['version_id']}")).json()
    assert detail["compared_with"]["version_id"] == first["version_id"]
    changed = {
        row["field"]: (row["before"], row["after"]) for row in detail["diff"] if row["changed"]
    }
    assert changed == {
        "payment_arrangement": ("net_prepaid", "pay_at_hotel_commission"),
        "commission_percent": (None, "12.5"),
    }
    page = await director.page(f"{ROOT}/versions/{supplement['version_id']}")
    assert page.status_code == 200
    assert len(re.findall(r'<tr class="changed">', page.text)) == 2
    assert "Net price, prepaid (collect-on-behalf)" in page.text and "12.5%" in page.text

    await _submit(resources, supplement["version_id"])
    assert await _effective(resources, first["contract_id"]) == first["version_id"]
    assert (await _approve(director, supplement["version_id"])).status_code == 200
    assert await _effective(resources, first["contract_id"]) == supplement["version_id"]

    old = (await resources.get(f"{API}/versions/{first['version_id']}")).json()
    assert old["version"]["state"] == "approved" and old["effective"] is False
    assert old["version"]["terms"]["payment_arrangement"] == "net_prepaid"
    old_page = await resources.page(f"{ROOT}/versions/{first['version_id']}")
    assert old_page.status_code == 200 and "superseded" in old_page.text
    contract_page = await resources.page(f"{ROOT}/contracts/{first['contract_id']}")
    assert "In effect: version 2" in contract_page.text and "12.5%" in contract_page.text


async def test_hr4_low_margin_submit_needs_a_reason_and_is_flagged(login_as, sessionmaker) -> None:
    resources = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    director = await login_as("wuhua", Role.RESOURCES_DIRECTOR)
    hotel_id = await _hotel(resources, net=9500, sell=10000)  # 5% margin
    version_id = (await _draft(resources, hotel_id))["version_id"]
    audit_before = await _rows(sessionmaker, "SELECT audit_id FROM contracts.audit_log")

    refused = await _submit(resources, version_id)
    assert refused.status_code == 409
    assert refused.json()["rule"] == "HR-4"
    assert refused.json()["fields"][0]["field"] == "low_margin_reason"
    page = await resources.post_form(f"{ROOT}/versions/{version_id}/submit", {})
    assert page.status_code == 409 and "5.0%, under 10%" in page.text
    rows = await _rows(sessionmaker, "SELECT state, submitted_at FROM contracts.contract_version")
    assert [(r.state, r.submitted_at) for r in rows] == [("drafted", None)]
    assert await _rows(sessionmaker, "SELECT audit_id FROM contracts.audit_log") == audit_before

    reason = "Flagship hotel next to the exhibition centre; volume deal"
    accepted = await resources.post_form(
        f"{ROOT}/versions/{version_id}/submit", {"low_margin_reason": reason}
    )
    assert accepted.status_code == 303
    queue = (await director.get(f"{API}/approvals")).json()
    assert [(q["version"]["version_id"], q["low_margin"]) for q in queue] == [(version_id, True)]
    assert queue[0]["version"]["low_margin_reason"] == reason
    assert queue[0]["version"]["submitted_margin"] == "0.0500"
    approvals = await director.page(f"{ROOT}/approvals")
    assert "low margin" in approvals.text and reason in approvals.text
    assert "(HR-4)" not in approvals.text  # no rule IDs in staff labels (issue 15)
    assert "5.0%" in approvals.text


async def test_hr3_rejected_version_does_not_take_effect(login_as) -> None:
    resources = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    director = await login_as("wuhua", Role.RESOURCES_DIRECTOR)
    first = await _draft(resources, await _hotel(resources))
    await _submit(resources, first["version_id"])
    await _approve(director, first["version_id"])
    supplement = (
        await resources.post_json(
            f"{API}/contracts/{first['contract_id']}/versions", terms(deposit_held_minor=0)
        )
    ).json()
    await _submit(resources, supplement["version_id"])

    no_reason = await director.post_json(f"{API}/versions/{supplement['version_id']}/reject", {})
    assert no_reason.status_code == 422 and no_reason.json()["fields"][0]["field"] == "note"
    rejected = await director.post_form(
        f"{ROOT}/versions/{supplement['version_id']}/reject", {"note": "Deposit must stay"}
    )
    assert rejected.status_code == 303
    assert await _effective(resources, first["contract_id"]) == first["version_id"]
    late = await _approve(director, supplement["version_id"])
    assert late.status_code == 409
    assert await _effective(resources, first["contract_id"]) == first["version_id"]
    page = await resources.page(f"{ROOT}/versions/{supplement['version_id']}")
    assert "rejected" in page.text and "Deposit must stay" in page.text
    again = await resources.post_json(f"{API}/contracts/{first['contract_id']}/versions", terms())
    assert again.status_code == 201 and again.json()["version_no"] == 3


async def test_hr3_one_version_in_the_works_per_contract(login_as) -> None:
    resources = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    first = await _draft(resources, await _hotel(resources))
    second = await resources.post_json(f"{API}/contracts/{first['contract_id']}/versions", terms())
    assert second.status_code == 409 and second.json()["error"] == "conflict"


async def test_bad_contract_input_is_422_naming_the_field_and_writes_nothing(
    login_as, sessionmaker
) -> None:
    resources = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    hotel_id = await _hotel(resources)
    url = f"{API}/hotels/{hotel_id}/contracts"
    cases = {
        "valid_to": terms(valid_from=night(10), valid_to=night(5)),
        "commission_percent": terms(payment_arrangement="pay_at_hotel_commission"),
        "payment_arrangement": terms(payment_arrangement="barter"),
        "deposit_held_minor": terms(deposit_held_minor=-1),
    }
    for field, body in cases.items():
        response = await resources.post_json(url, body)
        assert response.status_code == 422, (field, response.text)
        assert field in [f["field"] for f in response.json()["fields"]], response.text
    page = await resources.post_form(
        f"{ROOT}/hotels/{hotel_id}/contracts",
        {
            "valid_from": night(10),
            "valid_to": night(5),
            "payment_arrangement": "net_prepaid",
            "deposit_held": "abc",
            "cancellation_terms": "Typed by hand",
        },
    )
    assert page.status_code == 422 and "deposit held" in page.text
    assert "Typed by hand" in page.text  # the form keeps what was typed
    page = await resources.post_form(
        f"{ROOT}/hotels/{hotel_id}/contracts",
        {"valid_from": night(10), "valid_to": night(5), "payment_arrangement": "net_prepaid"},
    )
    assert page.status_code == 422 and '<a href="#field-valid_to">' in page.text
    assert "must not be before valid from" in page.text
    for table in ("contract", "contract_version"):
        assert await _rows(sessionmaker, f"SELECT 1 FROM contracts.{table}") == []


async def test_hr3_desk_drafts_and_director_signs_through_the_pages(login_as) -> None:
    resources = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    director = await login_as("wuhua", Role.RESOURCES_DIRECTOR)
    hotel_id = await _hotel(resources)
    hotel_page = await resources.page(f"{ROOT}/hotels/{hotel_id}")
    assert f"/hotels/{hotel_id}/contracts" in hotel_page.text
    form = await resources.page(f"{ROOT}/hotels/{hotel_id}/contracts")
    assert form.status_code == 200 and "No contract on file." in form.text and "20.0%" in form.text
    drafted = await resources.post_form(
        f"{ROOT}/hotels/{hotel_id}/contracts",
        {
            "valid_from": night(1),
            "valid_to": night(30),
            "payment_arrangement": "net_prepaid",
            "monthly_settlement": "on",
            "deposit_held": "5000.00",
        },
    )
    assert drafted.status_code == 303
    version_url = drafted.headers["location"]
    assert (await resources.post_form(f"{version_url}/submit", {})).status_code == 303
    queue = await director.page(f"{ROOT}/approvals")
    assert version_url.rsplit("/", 1)[-1] in queue.text
    review = await director.page(version_url)
    assert "Approve and put in effect" in review.text and "CN¥5,000.00" in review.text
    assert (await director.post_form(f"{version_url}/approve", {})).status_code == 303
    listing = await resources.page(f"{ROOT}/hotels/{hotel_id}/contracts")
    assert "version 1" in listing.text and "in effect" in listing.text


async def test_agent_gets_403_on_every_agreement_route(login_as) -> None:
    agent = await login_as("ana", Role.AGENT)
    some_id = "00000000-0000-0000-0000-000000000001"
    gets = [
        f"/hotels/{some_id}/contracts",
        f"/contracts/{some_id}",
        f"/versions/{some_id}",
        "/approvals",
    ]
    posts = [
        f"/hotels/{some_id}/contracts",
        f"/contracts/{some_id}/versions",
        f"/versions/{some_id}/submit",
        f"/versions/{some_id}/approve",
        f"/versions/{some_id}/reject",
    ]
    for path in gets:
        for url in (f"{ROOT}{path}", f"{API}{path}"):
            assert (await agent.get(url)).status_code == 403, url
    for path in posts:
        assert (await agent.post_json(f"{API}{path}", terms())).status_code == 403, path
        assert (await agent.post_form(f"{ROOT}{path}", {})).status_code == 403, path


async def test_the_contract_pages_read_in_chinese(login_as) -> None:
    """Issue 15: with roomline_locale=zh_CN the contract pages come from the catalog, in the
    desk's own words (合同, 补充协议, 利润率, 代收代付), and no English label is left."""
    resources = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    hotel_id = await _hotel(resources, net=9500)  # a 5% margin: flagged
    version = await _draft(resources, hotel_id)
    switched = await resources.post_form(
        "/language", {"locale": "zh_CN", "next": f"{ROOT}/hotels/{hotel_id}/contracts"}
    )
    assert switched.status_code == 303

    page = await resources.page(f"{ROOT}/hotels/{hotel_id}/contracts")
    assert page.status_code == 200 and '<html lang="zh-CN">' in page.text
    for chinese in ("合同", "起草新合同", "待审批", "利润率", "低于 10%", "尚未签字", "起草中"):
        assert chinese in page.text, chinese
    assert "底价预付（代收代付）" in page.text  # the payment arrangement's option
    assert 'value="net_prepaid"' in page.text  # what the server reads is unchanged
    for english in ("Draft a new contract", "Awaiting approval", "Average margin", "drafted"):
        assert english not in page.text, english

    detail = await resources.page(f"{ROOT}/versions/{version['version_id']}")
    assert "提交总监签字" in detail.text and "有效期自" in detail.text and "月结" in detail.text
    assert "Submit to the director" not in detail.text and "Valid from" not in detail.text
