"""Who is asking, and may they: session cookie, roles, CSRF tokens, security headers.

Every page depends on `current_user` (no session: redirect to /login), changing pages on
`changer` (admin or operator, else 403), and every POST reads its form through `checked_form`,
which refuses it (403) unless it carries the session's CSRF token. The login form, which has
no session yet, uses a double-submit token: a cookie and the same value in the form.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData
from starlette.responses import Response

from gateway.pipeline import Runtime
from gateway.users import WebUser, csrf_matches, load_session

SESSION_COOKIE = "edi_session"
LOGIN_COOKIE = "edi_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class LoginRequired(Exception):
    def __init__(self, next_url: str):
        self.next_url = next_url


class Forbidden(Exception):
    def __init__(self, reason: str):
        self.reason = reason


def sessions_of(request: Request) -> sessionmaker[Session]:
    runtime: Runtime = request.app.state.runtime
    return runtime.sessions


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str, **kw: int) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
        path="/",
        **kw,  # type: ignore[arg-type]
    )


def safe_next(value: str | None) -> str:
    """Only a path on this site (never `//elsewhere` or `https://...`)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def current_user(request: Request) -> WebUser:
    token = request.cookies.get(SESSION_COOKIE)
    user = load_session(sessions_of(request), token) if token else None
    if user is None:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(here if request.method == "GET" else "/")
    request.state.user = user
    return user


CurrentUser = Annotated[WebUser, Depends(current_user)]


def changer(user: CurrentUser) -> WebUser:
    if not user.can_change:
        raise Forbidden(f"your role ({user.role.value}) may look but not change: ask an operator")
    return user


Changer = Annotated[WebUser, Depends(changer)]


async def checked_form(request: Request, user: CurrentUser) -> AsyncIterator[FormData]:
    """The POSTed form, if it carries the session's CSRF token (uploads closed afterwards)."""
    form = await request.form()
    try:
        given = form.get(CSRF_FIELD)
        token = given if isinstance(given, str) else request.headers.get(CSRF_HEADER)
        if not csrf_matches(user.csrf_token, token):
            raise Forbidden(
                "the form's security token is missing or stale: reload the page and retry"
            )
        yield form
    finally:
        await form.close()


CheckedForm = Annotated[FormData, Depends(checked_form)]


def new_login_token() -> str:
    return secrets.token_urlsafe(32)


def login_url(next_url: str) -> str:
    return "/login" if next_url == "/" else f"/login?next={quote(next_url, safe='')}"
