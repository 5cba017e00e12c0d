"""Issue 16 (NS-7, PAY-4): per contract version, whether bookings are guaranteed, the no-show
fee (none, first night, whole stay, a percentage 1-100) and, for pay-at-hotel stays, the
commission; published in ``contracts.contract_effective`` for the no-show desk and payments.
Versions stored before read back as no guarantee and no fee."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from shared.auth import Role
from shared.events.contracts import ContractEffectiveV1
from tests.services.contracts.helpers import API, night, outbox, set_up_hotel
from tests.services.contracts.test_agreements import ROOT, terms


async def _signed(resources: Any, director: Any, hotel_id: str, **overrides: Any) -> dict[str, Any]:
    drafted = await resources.post_json(f"{API}/hotels/{hotel_id}/contracts", terms(**overrides))
    assert drafted.status_code == 201, drafted.text
    version = drafted.json()
    assert (
        await resources.post_json(f"{API}/versions/{version['version_id']}/submit", {})
    ).status_code == 200
    signed = await director.post_json(
        f"{API}/versions/{version['version_id']}/approve", {"note": "ok"}
    )
    assert signed.status_code == 200, signed.text
    return version


async def test_no_show_terms_are_kept_and_published_with_the_signed_version(
    login_as, sessionmaker
) -> None:
    resources = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    director = await login_as("wuhua", Role.RESOURCES_DIRECTOR)
    hotel_id = (await set_up_hotel(resources))["hotel_id"]
    version = await _signed(
        resources, director, hotel_id,
        payment_arrangement="pay_at_hotel_commission", commission_percent="12.5",
        guaranteed=True, no_show_fee="percent", no_show_fee_percent=50,
    )  # fmt: skip
    stored = (await resources.get(f"{API}/versions/{version['version_id']}")).json()
    assert stored["version"]["terms"]["guaranteed"] is True
    assert stored["version"]["terms"]["no_show_fee"] == "percent"
    assert stored["version"]["terms"]["no_show_fee_percent"] == 50

    [published] = await outbox(sessionmaker, ContractEffectiveV1.name)
    assert published["guaranteed"] is True
    assert published["no_show_fee"] == "percent" and published["no_show_fee_percent"] == 50
    assert published["commission_percent"] == "12.5" and published["monthly_settlement"] is True
    event = ContractEffectiveV1.model_validate({k: v for k, v in published.items() if k != "name"})
    assert str(event.commission_percent) == "12.5"


async def test_a_percentage_fee_needs_its_percent_and_only_it_has_one(
    login_as, sessionmaker
) -> None:
    resources = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    hotel_id = (await set_up_hotel(resources))["hotel_id"]
    url = f"{API}/hotels/{hotel_id}/contracts"
    cases = [
        ("no_show_fee_percent", terms(no_show_fee="percent")),
        ("no_show_fee_percent", terms(no_show_fee="first_night", no_show_fee_percent=20)),
        ("no_show_fee_percent", terms(no_show_fee_percent=20)),  # the fee defaults to none
        ("no_show_fee_percent", terms(no_show_fee="percent", no_show_fee_percent=0)),
        ("no_show_fee_percent", terms(no_show_fee="percent", no_show_fee_percent=101)),
        ("no_show_fee", terms(no_show_fee="two_nights")),
        ("guaranteed", terms(guaranteed="perhaps")),
    ]
    for field, body in cases:
        response = await resources.post_json(url, body)
        assert response.status_code == 422, (body, response.text)
        assert field in [f["field"] for f in response.json()["fields"]], response.text
    for fee, percent in (
        ("none", None),
        ("first_night", None),
        ("whole_stay", None),
        ("percent", 100),
    ):
        body = terms(no_show_fee=fee, no_show_fee_percent=percent)
        drafted = await resources.post_json(url, body)
        assert drafted.status_code == 201, drafted.text
        version = drafted.json()
        assert version["terms"]["no_show_fee"] == fee
        withdrawn = await resources.post_json(
            f"{API}/versions/{version['version_id']}/withdraw", {"reason": "next case"}
        )
        assert withdrawn.status_code == 200
    async with sessionmaker() as session:
        kept = await session.scalar(text("SELECT count(*) FROM contracts.contract_version"))
    assert kept == 4  # the refused ones wrote nothing


async def test_a_version_stored_before_reads_as_no_guarantee_and_no_fee(
    login_as, sessionmaker
) -> None:
    resources = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    director = await login_as("wuhua", Role.RESOURCES_DIRECTOR)
    hotel_id = (await set_up_hotel(resources))["hotel_id"]
    old = await _signed(resources, director, hotel_id)
    async with sessionmaker() as session, session.begin():  # as issue 15 stored it
        await session.execute(
            text(
                "UPDATE contracts.contract_version SET terms = terms - 'guaranteed'"
                " - 'no_show_fee' - 'no_show_fee_percent' WHERE version_id = :id"
            ),
            {"id": old["version_id"]},
        )
    amended = terms(guaranteed=True, no_show_fee="first_night")
    drafted = await resources.post_json(f"{API}/contracts/{old['contract_id']}/versions", amended)
    assert drafted.status_code == 201, drafted.text
    detail = (await resources.get(f"{API}/versions/{drafted.json()['version_id']}")).json()
    changed = {row["field"] for row in detail["diff"] if row["changed"]}
    assert changed == {"guaranteed", "no_show_fee"}, detail["diff"]
    fee = next(row for row in detail["diff"] if row["field"] == "no_show_fee")
    assert (fee["before"], fee["after"]) == ("none", "first_night")

    page = await resources.page(f"{ROOT}/versions/{drafted.json()['version_id']}")
    assert "Guaranteed bookings" in page.text and "The first night&#39;s price" in page.text
    assert "No fee" in page.text  # the old version's default, shown as struck through
    contract = await resources.page(f"{ROOT}/contracts/{old['contract_id']}")
    assert contract.status_code == 200 and "No fee" in contract.text


async def test_the_terms_form_records_the_no_show_terms_in_both_languages(
    login_as, sessionmaker
) -> None:
    resources = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    hotel_id = (await set_up_hotel(resources))["hotel_id"]
    form = {
        "valid_from": night(1),
        "valid_to": night(30),
        "payment_arrangement": "net_prepaid",
        "guaranteed": "on",
        "no_show_fee": "percent",
    }
    refused = await resources.post_form(f"{ROOT}/hotels/{hotel_id}/contracts", form)
    assert refused.status_code == 422 and '<a href="#field-no_show_fee_percent">' in refused.text
    assert "needed when the no-show fee is a percentage" in refused.text
    assert 'value="percent" selected' in refused.text  # the form keeps what was typed

    drafted = await resources.post_form(
        f"{ROOT}/hotels/{hotel_id}/contracts", {**form, "no_show_fee_percent": "30"}
    )
    assert drafted.status_code == 303, drafted.text
    version_url = drafted.headers["location"]
    page = await resources.page(version_url)
    assert "A percentage of the stay" in page.text and "30%" in page.text
    assert 'name="guaranteed" type="checkbox" checked' in page.text  # the edit form, prefilled

    switched = await resources.post_form("/language", {"locale": "zh_CN", "next": version_url})
    assert switched.status_code == 303
    chinese = await resources.page(version_url)
    for text_zh in ("担保预订", "NO-SHOW 费用", "按房费百分比", "首晚房费", "全部房费", "不收费"):
        assert text_zh in chinese.text, text_zh
    assert "Guaranteed bookings" not in chinese.text and "No-show fee" not in chinese.text
