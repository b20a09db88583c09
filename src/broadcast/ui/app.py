"""The Flask application: the guards every request passes, the page frame, errors as pages.

Flask (with Jinja2 templates, escaped by default) is the only web library the page uses; the
server that runs it is in ``server``.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask import Flask, Response, jsonify, make_response, redirect, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from broadcast import i18n
from broadcast.errors import BroadcastError, InputProblems
from broadcast.operations import overview
from broadcast.ui import guard
from broadcast.ui.context import Config, config_of, runner, wants_json
from broadcast.ui.jobs import Runner

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "media-src 'self'; connect-src 'self'; form-action 'self'; frame-src 'self'; "
       "frame-ancestors 'self'; base-uri 'none'")
"""Nothing from anywhere else, no inline script: the page works offline and nothing injected runs."""
LANG_COOKIE = "broadcast_lang"


def create_app(config: Config) -> Flask:
    app = Flask("broadcast.ui")
    app.secret_key = secrets.token_bytes(32)  # signs the flashed messages' cookie; one per run
    app.jinja_env.filters["clock"] = _clock
    app.jinja_env.filters["local_time"] = _local_time
    app.jinja_env.globals["t"] = i18n.t  # macros, imported without the page's context, too
    app.config["MAX_CONTENT_LENGTH"] = max(config.recording_limit, config.sheet_limit) + (1 << 20)
    app.config["TEMPLATES_AUTO_RELOAD"] = False
    app.extensions["broadcast"] = config
    app.extensions["broadcast.jobs"] = Runner()
    app.before_request(_guard)
    app.after_request(_headers)
    app.context_processor(_frame)
    app.register_error_handler(BroadcastError, _broadcast_error)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(HTTPException, _http_error)
    from broadcast.ui.views import register

    register(app, config)
    return app


def _local_time(stamp: str) -> str:
    """A ledger's UTC time stamp as the office reads it: its own clock, day first."""
    try:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return str(stamp)
    return moment.astimezone().strftime("%d/%m/%Y %H:%M:%S")


def _clock(seconds: float) -> str:
    """A duration as minutes:seconds, the way operators read it."""
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def _guard() -> Response | None:
    config = config_of()
    i18n.set_language(request.cookies.get(LANG_COOKIE) or config.language)
    if not guard.host_allowed(request.host, config.port):
        return _denied("ui.denied.host", 400)
    cookie = config.secrets.cookie_name(config.port)
    given = request.args.get("token")
    if given is not None:
        if not guard.same(given, config.secrets.token):
            return _denied("ui.denied.token", 403)
        # The token leaves the address bar and the history at once; the cookie carries it on.
        back = redirect(request.path)
        back.set_cookie(cookie, config.secrets.token, httponly=True, samesite="Strict", path="/")
        return back
    if not guard.same(request.cookies.get(cookie), config.secrets.token):
        return _denied("ui.denied.token", 403)
    if request.method not in guard.SAFE_METHODS:
        if not guard.origin_allowed(request.headers.get("Origin"), config.port):
            return _denied("ui.denied.origin", 403)
        sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf")
        if not guard.same(sent, config.secrets.csrf):
            return _denied("ui.denied.csrf", 403)
    return None


def _denied(key: str, status: int) -> Response:
    if wants_json():
        return make_response(jsonify(error=i18n.t(key)), status)
    return make_response(render_template("denied.html", reason=i18n.t(key)), status)


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"  # "no-referrer" would make forms send "Origin: null"
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _frame() -> dict:
    """What every page's frame shows: language, tokens for forms, who else is working here."""
    config = config_of()
    holder = overview.lock_holder(config.root) if config.root is not None else None
    return {"t": i18n.t, "lang": i18n.current_language(), "csrf": config.secrets.csrf,
            "operator": config.operator, "holder": holder, "running": runner().busy(),
            "workspace": config.root}


def _broadcast_error(exc: BroadcastError) -> Response:
    problems = exc.problems if isinstance(exc, InputProblems) else []
    status = 409 if exc.key in ("lock.busy", "ui.job.running") else 400
    if wants_json():
        return make_response(jsonify(error=exc.message() if not problems else i18n.t("ui.edit.refused"),
                                     problems=[p.render() for p in problems]), status)
    return make_response(render_template("error.html", message=exc.message(), problems=problems), status)


def _too_large(_exc: RequestEntityTooLarge) -> Response:
    limit = config_of().recording_limit
    message = i18n.t("ui.upload.too_large", name="", mb=f"{limit / 1e6:.0f}")
    if wants_json():
        return make_response(jsonify(error=message), 413)
    return make_response(render_template("error.html", message=message, problems=[]), 413)


def _http_error(exc: HTTPException) -> Response:
    message = i18n.t("ui.http_error", status=exc.code or 500)
    if wants_json():
        return make_response(jsonify(error=message), exc.code or 500)
    return make_response(render_template("error.html", message=message, problems=[]), exc.code or 500)
