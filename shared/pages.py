"""Rendering pages and reading forms: what every service's page endpoints share.

``readable_errors`` (shared.field_errors) is re-exported: services import it from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader

from shared.auth import ROLE_NAMES, Staff, desks_for
from shared.clock import clock
from shared.db import refuse_commit
from shared.field_errors import FieldErrors, annotate
from shared.field_errors import readable_errors as readable_errors
from shared.i18n import html_lang, local_money
from shared.i18n import install as install_i18n

SHARED_UI = Path(__file__).parent / "ui"


def make_templates(service_templates: Path | None) -> Jinja2Templates:
    """A service's templates: its ``ui/templates``, then each feature package's
    ``templates/`` (``services/intake/memos/templates``), then the kit's (base layout)."""
    loaders = []
    if service_templates:
        service_dir = service_templates.parent.parent  # services/<name>/ui/templates
        features = sorted(service_dir.glob("*/templates"))
        loaders = [FileSystemLoader(str(d)) for d in [service_templates, *features]]
    loaders.append(FileSystemLoader(str(SHARED_UI / "templates")))
    templates = Jinja2Templates(directory=str(SHARED_UI / "templates"))
    templates.env.loader = ChoiceLoader(loaders)
    templates.env.globals["local_time"] = lambda at, fmt="%Y-%m-%d %H:%M": clock.local(at).strftime(
        fmt
    )
    templates.env.globals["money"] = local_money
    templates.env.globals["desks_for"] = desks_for
    templates.env.globals["role_names"] = ROLE_NAMES
    templates.env.globals["html_lang"] = html_lang
    install_i18n(templates.env)
    return templates


def render(
    templates: Jinja2Templates,
    request: Request,
    name: str,
    staff: Staff | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page with what every page needs: the user, their desks, the CSRF token.

    A failure page (status >= 400) marks the request so its session is not committed, should
    an endpoint return one instead of raising ``FormRejected`` (one commit rule, shared.db).
    """
    if status_code >= 400:
        refuse_commit(request)
    base_context = {
        "staff": staff,
        "csrf_token": staff.csrf_token if staff else "",
        "root": request.scope.get("root_path", ""),
    }
    response = templates.TemplateResponse(
        request, name, {**base_context, **context}, status_code=status_code
    )
    refused = next((v for v in context.values() if isinstance(v, FieldErrors) and v), None)
    if refused is None:
        return response
    # Each refused field marked and its message beside it, in the form that was posted.
    html = annotate(
        bytes(response.body).decode(), refused, path=request.url.path, env=templates.env
    )
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return HTMLResponse(html, status_code=status_code, headers=headers)


async def form_data(request: Request) -> dict[str, str]:
    """The posted form as plain strings, blank fields dropped so model defaults apply."""
    form = await request.form()
    return {
        key: value
        for key, value in form.items()
        if isinstance(value, str) and value.strip() != "" and key != "csrf_token"
    }


async def form_lists(request: Request, *names: str) -> dict[str, list[str]]:
    """The posted values of repeated fields (ticked checkboxes), by name."""
    form = await request.form()
    return {name: [v for v in form.getlist(name) if isinstance(v, str)] for name in names}


def see_other(request: Request, path: str) -> RedirectResponse:
    """Redirect after a form post (303) to ``path`` inside this service, mounted or alone."""
    return RedirectResponse(f"{request.scope.get('root_path', '')}{path}", status_code=303)
