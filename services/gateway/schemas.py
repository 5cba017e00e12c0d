"""Input shapes of the gateway's forms and API."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from shared.auth import Role


class NewStaff(BaseModel):
    username: str = Field(min_length=2, max_length=80, pattern=r"^[a-z0-9_.-]+$")
    display_name: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=10, max_length=200)
    roles: list[Role] = Field(min_length=1)

    @field_validator("roles")
    @classmethod
    def distinct_roles(cls, roles: list[Role]) -> list[Role]:
        return sorted(set(roles))


class RolesChange(BaseModel):
    roles: list[Role] = Field(min_length=1)

    @field_validator("roles")
    @classmethod
    def distinct_roles(cls, roles: list[Role]) -> list[Role]:
        return sorted(set(roles))


class PasswordReset(BaseModel):
    password: str = Field(min_length=10, max_length=200)


class LockoutClear(BaseModel):
    scope: str = Field(min_length=1, max_length=40)
    identity: str = Field(min_length=1, max_length=200)


class StaffOut(BaseModel):
    user_id: int
    username: str
    display_name: str
    roles: list[str]
    active: bool


class LockoutOut(BaseModel):
    scope: str
    identity: str
    retry_after: int
