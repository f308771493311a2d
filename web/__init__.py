"""The operator web UI: server-rendered pages (Jinja2, htmx vendored under web/static).

mount(app)  # adds the pages, /static and the UI's security headers to a FastAPI app
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

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

    @app.middleware("http")
    async def ui_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        if not request.url.path.startswith("/api/"):
            response.headers.setdefault("Content-Security-Policy", CSP)
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Referrer-Policy", "same-origin")
            if response.media_type == "text/html" or response.headers.get(
                "content-type", ""
            ).startswith("text/html"):
                response.headers.setdefault("Cache-Control", "no-store")
        return response
