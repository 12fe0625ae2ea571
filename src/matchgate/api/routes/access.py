"""Agencies, users and tokens: ``services.administration.users``, as ``matchgate agencies|users|
tokens`` call it. A new token is in the answer once and stored only as a hash."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from matchgate.api.deps import AppDep, CallerDep
from matchgate.api.links import link, links
from matchgate.api.problems import RESPONSES
from matchgate.api.schemas import In, Moment, Out
from matchgate.services.administration import users as service

router = APIRouter(prefix="/v1", tags=["access"], responses=RESPONSES)

UserId = Annotated[str, Field(min_length=1, max_length=64)]


class AgencyIn(In):
    code: str = Field(min_length=1, max_length=32, description="Agency code, e.g. DHS.")
    name: str = Field(min_length=1, max_length=200)


class AgencyOut(Out):
    code: str
    name: str
    host: bool


class UserIn(In):
    id: UserId
    agency: str = Field(min_length=1, max_length=32)
    roles: list[str] = Field(min_length=1, max_length=5)


class UserOut(Out):
    id: str
    agency: str
    roles: list[str]
    status: str
    created_at: Moment
    created_by: str
    revoked_at: Moment | None


class TokenIn(In):
    user_id: UserId | None = Field(
        default=None, description="For this user (administrators); default: yourself."
    )
    days: int = Field(default=90, ge=1, le=366)
    label: str = Field(default="api", min_length=1, max_length=64)


class NewTokenOut(Out):
    user_id: str
    token_id: str
    token: str = Field(description="Shown this once; stored only as a hash.")
    expires_at: Moment


class TokenOut(Out):
    id: str
    user_id: str
    label: str
    created_at: Moment
    expires_at: Moment
    revoked_at: Moment | None


@router.get("/agencies", response_model=list[AgencyOut])
def list_agencies(app: AppDep, caller: CallerDep) -> list[AgencyOut]:
    """Agencies you manage or audit (the host's administrators: all)."""
    rows = service.list_agencies(app, caller=caller)
    return [AgencyOut.model_validate(a) for a in rows]


@router.post("/agencies", response_model=AgencyOut, status_code=201)
def add_agency(body: AgencyIn, app: AppDep, caller: CallerDep) -> AgencyOut:
    """Register a partner agency (the host agency's administrators)."""
    made = service.add_agency(app, body.code, body.name, caller=caller)
    return AgencyOut.model_validate(made)


@router.get("/users", response_model=list[UserOut])
def list_users(
    app: AppDep,
    caller: CallerDep,
    agency: Annotated[str | None, Query(max_length=32)] = None,
) -> list[UserOut]:
    """Users of the agencies you manage or audit."""
    rows = service.list_users(app, caller=caller, agency=agency)
    return [UserOut.model_validate(u) for u in rows]


@router.post(
    "/users",
    response_model=UserOut,
    status_code=201,
    responses=links(
        201,
        RevokeUser=link(
            "/v1/users/{user_id}/revoke", "post", "Revoke the user.", user_id="$response.body#/id"
        ),
    ),
)
def add_user(body: UserIn, app: AppDep, caller: CallerDep) -> UserOut:
    """Create a user of an agency with roles (administrators)."""
    made = service.add_user(app, body.id, agency=body.agency, roles=body.roles, caller=caller)
    return UserOut.model_validate(made)


@router.post("/users/{user_id}/revoke", response_model=UserOut)
def revoke_user(user_id: str, app: AppDep, caller: CallerDep) -> UserOut:
    """Revoke a user and all their tokens (administrators); refused from the next request."""
    revoked = service.revoke_user(app, user_id, caller=caller)
    return UserOut.model_validate(revoked)


@router.post(
    "/tokens",
    response_model=NewTokenOut,
    status_code=201,
    responses=links(
        201,
        RevokeToken=link(
            "/v1/tokens/{token_id}/revoke",
            "post",
            "Revoke the token.",
            token_id="$response.body#/token_id",  # noqa: S106 - a runtime expression
        ),
    ),
)
def issue_token(body: TokenIn, app: AppDep, caller: CallerDep) -> NewTokenOut:
    """Issue a token; it is in this answer once, and stored only as a hash."""
    made = service.issue_token(
        app,
        caller=caller,
        user_id=body.user_id,
        days=body.days,
        label=body.label,
    )
    return NewTokenOut.model_validate(made)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(
    app: AppDep,
    caller: CallerDep,
    user_id: Annotated[str | None, Query(max_length=64)] = None,
) -> list[TokenOut]:
    """Token ids and dates (never the tokens): yours, or a user's you manage."""
    rows = service.list_tokens(app, caller=caller, user_id=user_id)
    return [TokenOut.model_validate(t) for t in rows]


@router.post("/tokens/{token_id}/revoke", response_model=TokenOut)
def revoke_token(token_id: str, app: AppDep, caller: CallerDep) -> TokenOut:
    """Revoke a token (yours, or one of a user you manage); refused from the next request."""
    revoked = service.revoke_token(app, token_id, caller=caller)
    return TokenOut.model_validate(revoked)
