"""Input shapes of the gateway's forms and API."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, field_validator

from shared.auth import Role
from shared.limits import CODE_LENGTH, LINE_LENGTH, check_text

# Issue 14: the bounds of every field an admin types (no control characters anywhere).
USERNAME_PATTERN = r"^[a-z0-9_.-]+$"
DISPLAY_NAME_LENGTH = 120  # staff_user.display_name is VARCHAR(120)
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 256  # a passphrase; the login form takes as much
MAX_ROLES = len(Role)  # each role at most once
Username = Annotated[
    str,
    StringConstraints(min_length=2, max_length=CODE_LENGTH, pattern=USERNAME_PATTERN),
    AfterValidator(check_text),
]
DisplayName = Annotated[
    str, StringConstraints(min_length=1, max_length=DISPLAY_NAME_LENGTH), AfterValidator(check_text)
]
Password = Annotated[
    str,
    StringConstraints(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH),
    AfterValidator(check_text),
]
LockoutScope = Annotated[
    str, StringConstraints(min_length=1, max_length=40), AfterValidator(check_text)
]
LockoutIdentity = Annotated[
    str, StringConstraints(min_length=1, max_length=200), AfterValidator(check_text)
]

# What a form field may carry at all (a 422 naming the field past it); the models above say
# the rest (a pattern, a minimum), and a form breaking those gets the staff page again.
UsernameField = Annotated[
    str, StringConstraints(max_length=CODE_LENGTH), AfterValidator(check_text)
]
DisplayNameField = Annotated[
    str, StringConstraints(max_length=DISPLAY_NAME_LENGTH), AfterValidator(check_text)
]
PasswordField = Annotated[
    str, StringConstraints(max_length=PASSWORD_MAX_LENGTH), AfterValidator(check_text)
]
RoleField = Annotated[str, StringConstraints(max_length=CODE_LENGTH), AfterValidator(check_text)]
CsrfField = Annotated[str, StringConstraints(max_length=CODE_LENGTH), AfterValidator(check_text)]
# Where to go after login: a path on this site (endpoints._safe_next drops any other).
NextPath = Annotated[str, StringConstraints(max_length=LINE_LENGTH), AfterValidator(check_text)]


class NewStaff(BaseModel):
    username: Username
    display_name: DisplayName
    password: Password
    roles: list[Role] = Field(min_length=1, max_length=MAX_ROLES)

    @field_validator("roles")
    @classmethod
    def distinct_roles(cls, roles: list[Role]) -> list[Role]:
        return sorted(set(roles))


class RolesChange(BaseModel):
    roles: list[Role] = Field(min_length=1, max_length=MAX_ROLES)

    @field_validator("roles")
    @classmethod
    def distinct_roles(cls, roles: list[Role]) -> list[Role]:
        return sorted(set(roles))


class PasswordReset(BaseModel):
    password: Password


class LockoutClear(BaseModel):
    scope: LockoutScope
    identity: LockoutIdentity


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
