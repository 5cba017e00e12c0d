"""Staff administration: an admin changes roles, deactivates, resets a password; each ends the
person's sessions at once (shared.auth), is audited with before and after, and a deactivated
person cannot log in."""

from __future__ import annotations

from sqlalchemy import text

from shared.auth import Role
from tests.services.gateway.support import attempt, user_id
from tests.support.clients import StaffClient, password_for


async def _audit(sessionmaker, action: str) -> list[tuple[str, dict, dict]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text("SELECT actor, before, after FROM gateway.audit_log WHERE action = :a"),
            {"a": action},
        )
        return [tuple(row) for row in rows]


async def test_removing_a_role_ends_the_session_and_the_role_is_gone_after_login(
    login_as, http, sessionmaker
) -> None:
    admin = await login_as("root", Role.ADMIN)
    cora = await login_as("cora", Role.AGENT, Role.CONFIRMATION_DESK)
    assert (await cora.get("/confirmation/api/tasks")).status_code == 200
    cora_id = await user_id(admin, "cora")

    changed = await admin.request_json("PUT", f"/api/staff/{cora_id}/roles", {"roles": ["agent"]})

    assert changed.status_code == 200 and changed.json()["roles"] == ["agent"]
    # Her next request is refused: the session carried the old roles and has ended.
    assert (await cora.get("/confirmation/api/tasks")).status_code == 401
    again = await StaffClient(await http()).login("cora")
    assert (await again.get("/confirmation/api/tasks")).status_code == 403
    assert (await again.page("/intake/")).status_code == 200
    [(actor, before, after)] = await _audit(sessionmaker, "change_roles")
    assert actor == "root"
    assert before["roles"] == ["agent", "confirmation_desk"] and after["roles"] == ["agent"]


async def test_deactivation_ends_the_session_and_refuses_the_next_login(
    login_as, http, sessionmaker
) -> None:
    admin = await login_as("root", Role.ADMIN)
    ana = await login_as("ana", Role.AGENT)
    page = await admin.page("/admin/staff")
    ana_id = await user_id(admin, "ana")
    assert f"/admin/staff/{ana_id}/deactivate" in page.text

    done = await admin.post_form(f"/admin/staff/{ana_id}/deactivate", {})

    assert done.status_code == 303
    next_page = await ana.page("/intake/")
    assert next_page.status_code == 303 and "/login" in next_page.headers["location"]
    assert (await ana.get("/api/openapi.json")).status_code == 401
    assert (await attempt(await http(), "ana", password_for("ana"))).status_code == 401
    [(_, before, after)] = await _audit(sessionmaker, "deactivate")
    assert before["active"] is True and after["active"] is False


async def test_a_password_reset_ends_the_sessions_and_only_the_new_password_works(
    login_as, http
) -> None:
    admin = await login_as("root", Role.ADMIN)
    ana = await login_as("ana", Role.AGENT)
    ana_id = await user_id(admin, "ana")

    reset = await admin.post_json(f"/api/staff/{ana_id}/password", {"password": "brand-new-pass"})

    assert reset.status_code == 200
    assert (await ana.get("/api/openapi.json")).status_code == 401
    assert (await attempt(await http(), "ana", password_for("ana"))).status_code == 401
    assert (await attempt(await http(), "ana", "brand-new-pass")).status_code == 303


async def test_other_people_keep_their_sessions(login_as) -> None:
    admin = await login_as("root", Role.ADMIN)
    ana = await login_as("ana", Role.AGENT)
    bo = await login_as("bo", Role.AGENT)

    await admin.post_json(f"/api/staff/{await user_id(admin, 'ana')}/deactivate", {})

    assert (await ana.get("/api/openapi.json")).status_code == 401
    assert (await bo.get("/api/openapi.json")).status_code == 200
    assert (await admin.get("/api/staff")).status_code == 200


async def test_an_admin_cannot_deactivate_themselves_or_drop_their_admin_role(login_as) -> None:
    admin = await login_as("root", Role.ADMIN)
    own = await user_id(admin, "root")

    assert (await admin.post_json(f"/api/staff/{own}/deactivate", {})).status_code == 409
    dropped = await admin.request_json("PUT", f"/api/staff/{own}/roles", {"roles": ["agent"]})
    assert dropped.status_code == 422
    assert (await admin.get("/api/staff")).status_code == 200


async def test_staff_administration_is_for_admins_only(login_as) -> None:
    lead = await login_as("lead", Role.TEAM_LEAD, Role.GENERAL_MANAGER)
    assert (await lead.get("/api/staff")).status_code == 403
    assert (await lead.post_json("/api/staff/1/deactivate", {})).status_code == 403
    assert (await lead.get("/api/staff/lockouts")).status_code == 403
