"""The operator web UI: server-rendered pages (Jinja2, htmx vendored under web/static).

mount(app)  # adds the pages, /static and the UI's security headers to a FastAPI app
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC = Path(__file__).parent / "static"


def mount(app: FastAPI) -> None:
    from web import routes
    from web.pages import render
    from web.security import CSP, Forbidden, LoginRequired, login_url

    app.include_router(routes.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    async def login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": login_url(exc.next_url)})
        return RedirectResponse(login_url(exc.next_url), status_code=303)

    async def forbidden(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Forbidden)
        return render(request, "error.html", {"title": "Not allowed", "detail": exc.reason}, 403)

    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, routes.PageNotFound)
        detail = f"There is no {exc.what}."
        return render(request, "error.html", {"title": "Not found", "detail": detail}, 404)

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(Forbidden, forbidden)
    app.add_exception_handler(routes.PageNotFound, not_found)

    app.add_middleware(UiHeaders, csp=CSP)


class UiHeaders:
    """Security headers on the UI's responses (pure ASGI: the API's requests pass through
    untouched, streaming included)."""

    def __init__(self, app: ASGIApp, csp: str):
        self.app = app
        self.headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith("/api/"):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    headers.setdefault(name.decode(), value.decode())
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)
