"""Rendering: one Jinja2 environment with autoescaping on for every template, and the
request's user, CSRF token and search query handed to every page."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).parent / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,  # every template, whatever its name: data is text, never markup
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and "T" in value:
        return value.replace("T", " ")[:19] + " UTC"
    return "" if value is None else str(value)


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str, ensure_ascii=False)


env.filters["when"] = _when
env.filters["pretty"] = _pretty


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    user = getattr(request.state, "user", None)
    values = {
        "user": user,
        "csrf": user.csrf_token if user else "",
        "q": "",
        "error": None,
        **context,
    }
    html = env.get_template(template).render(values)
    return HTMLResponse(html, status_code=status_code)


def bar_chart(days: list[dict[str, Any]], *, width: int = 560, height: int = 160) -> dict[str, Any]:
    """Geometry of a server-rendered SVG bar chart of messages per day."""
    top = max((d["count"] for d in days), default=0) or 1
    slot = width / max(len(days), 1)
    bars = []
    for i, d in enumerate(days):
        h = round((height - 30) * d["count"] / top, 1)
        bars.append(
            {
                "x": round(i * slot + 4, 1),
                "y": round(height - 20 - h, 1),
                "w": round(slot - 8, 1),
                "h": h,
                "label": d["day"].strftime("%d"),
                "title": f"{d['day'].isoformat()}: {d['count']} messages",
                "count": d["count"],
                "lx": round(i * slot + slot / 2, 1),
            }
        )
    return {"width": width, "height": height, "bars": bars, "top": top}
