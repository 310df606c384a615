"""The /api/v1 application: its routes (each a `backoffice` command), authentication, errors, OpenAPI."""

from __future__ import annotations

import hmac
import inspect
import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import click
from fastapi import Body, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, create_model

from backoffice.admin import jobs, tokens
from backoffice.admin.orgs import find_org_id
from backoffice.cli import cli
from backoffice.cli.common import InApp, run_in_app, token_org
from backoffice.core.context import Context, User
from backoffice.core.errors import (
    AuthError,
    BackofficeError,
    ConflictError,
    DatabaseBusyError,
    NotFoundError,
    PermissionDenied,
    ThrottledError,
    ValidationError,
)
from backoffice.db import Database

MAX_UPLOAD_BYTES = int(os.environ.get("BACKOFFICE_MAX_UPLOAD_MB", "512")) * 1024 * 1024
FORM_OVERHEAD = 64 * 1024  # the form's other fields and boundaries around the file
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COMMON = {"db", "org", "json"}  # what the app decides, not the request
NOT_OVER_HTTP = {"out", "fmt"}  # a route answers JSON in its body: no file on the app's machine, no CSV


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    command: tuple[str, ...]  # the `backoffice` words it runs
    created: bool = False  # 201 instead of 200


ROUTES: tuple[Route, ...] = (
    Route("GET", "/customers", ("customer", "list")),
    Route("POST", "/customers", ("customer", "add"), created=True),
    Route("GET", "/customers/{id}", ("customer", "show")),
    Route("PATCH", "/customers/{id}", ("customer", "update")),
    Route("GET", "/customers/{id}/statement", ("customer", "statement")),
    Route("GET", "/products", ("product", "list")),
    Route("POST", "/products", ("product", "add"), created=True),
    Route("POST", "/orders", ("order", "add"), created=True),
    Route("GET", "/orders/{id}", ("order", "show")),
    Route("POST", "/orders/{id}/transition", ("order", "transition")),
    Route("POST", "/orders/{id}/cancel", ("order", "cancel")),
    Route("POST", "/invoices", ("invoice", "issue"), created=True),
    Route("GET", "/invoices/{number}", ("invoice", "show")),
    Route("GET", "/invoices/{number}/explain", ("invoice", "explain")),
    Route("POST", "/invoices/{number}/credit-notes", ("invoice", "credit-note"), created=True),
    Route("POST", "/payments", ("payment", "add"), created=True),
    Route("POST", "/payments/{id}/capture", ("payment", "capture")),
    Route("POST", "/payments/{id}/void", ("payment", "void")),
    Route("POST", "/refunds", ("payment", "refund"), created=True),
    Route("GET", "/ledger/trial-balance", ("ledger", "trial-balance")),
    Route("GET", "/stores", ("store", "list")),
    Route("GET", "/stores/{name}/imports", ("store", "imports")),
    Route("GET", "/stores/{name}/log", ("store", "log")),
    Route("POST", "/post", ("post",)),
    *(
        Route("GET", f"/reports/{name}", ("report", name))
        for name in ("sales", "profit", "vat", "aging", "trial-balance", "pnl", "balance-sheet")
    ),
    Route("GET", "/outbox", ("outbox",)),
    Route("POST", "/backup", ("backup",), created=True),
    Route("GET", "/tokens", ("token", "list")),
    Route("POST", "/tokens", ("token", "create"), created=True),
    Route("DELETE", "/tokens/{id}", ("token", "revoke")),
)


class UploadTooLarge(BackofficeError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"The file is larger than {limit // (1024 * 1024)} MB (BACKOFFICE_MAX_UPLOAD_MB); nothing was imported."
        )


_STATUS: tuple[tuple[type[BaseException], int], ...] = (
    (UploadTooLarge, 413),
    (ThrottledError, 429),
    (AuthError, 401),
    (PermissionDenied, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (ValidationError, 422),
    (click.UsageError, 422),
    (DatabaseBusyError, 503),
    (BackofficeError, 400),
)


def _status(failure: BaseException | None, code: int) -> int:
    for kind, status in _STATUS:
        if isinstance(failure, kind):
            return status
    return 422 if code == 2 else 409  # a command's own refusal: an import rejected, totals that disagree


def _error(message: str, status: int, fields: list[dict[str, str]] | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "fields": fields or []}, status_code=status)


def _command(words: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for word in words:
        found = (
            command.get_command(click.Context(command), word) if isinstance(command, click.Group) else None
        )
        if found is None:
            raise LookupError(f"no command backoffice {' '.join(words)}")
        command = found
    return command


def _option(param: click.Option) -> str:
    return max(param.opts, key=len)


def _field(param: click.Parameter) -> tuple[Any, Any]:
    """The pydantic field of a click option: its type, required or None, its help as the description."""
    kind: Any = str
    if isinstance(param.type, click.types.IntParamType):
        kind = int
    elif isinstance(param, click.Option) and param.is_flag:
        kind = bool
    if getattr(param, "multiple", False):
        kind = list[kind]
    help_text = getattr(param, "help", None) or ""
    if isinstance(param.type, click.Choice):
        help_text = (
            (help_text + " " if help_text else "") + "one of: " + ", ".join(map(str, param.type.choices))
        )
    if param.required:
        return kind, Field(..., description=help_text)
    return kind | None, Field(None, description=help_text)


def _model(route: Route, command: click.Command) -> type[BaseModel]:
    fields = {
        p.name: _field(p)
        for p in command.params
        if isinstance(p, click.Option) and p.name and p.name not in COMMON | NOT_OVER_HTTP
    }
    name = "".join(w.title().replace("-", "") for w in route.command) + "Request"
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)  # type: ignore[call-overload]


def _argv(command: click.Command, values: dict[str, Any], path: dict[str, Any]) -> list[str]:
    """The command line a request stands for: `--option=value` (never mistaken for another option), a flag
    when true (`--no-x` when false and the option has one), each item of a list, then the path's arguments."""
    argv: list[str] = []
    for param in command.params:
        if isinstance(param, click.Option) and param.name in values and values[param.name] is not None:
            value = values[param.name]
            if param.is_flag:
                if value:
                    argv.append(_option(param))
                elif param.secondary_opts:
                    argv.append(max(param.secondary_opts, key=len))
            elif isinstance(value, list):
                argv += [f"{_option(param)}={item}" for item in value]
            else:
                argv.append(f"{_option(param)}={value}")
    arguments = [
        str(path[p.name]) for p in command.params if isinstance(p, click.Argument) and p.name in path
    ]
    return argv + (["--", *arguments] if arguments else [])


@dataclass(frozen=True)
class Caller:
    actor: User
    org_id: int | None
    files: bool


class CommandLine(BaseModel):
    """A whole `backoffice` command line, run inside the app."""

    model_config = ConfigDict(extra="forbid")
    argv: list[str] = Field(
        ..., description='the words after `backoffice`, e.g. ["customer", "list", "--json"]'
    )
    cwd: str | None = Field(None, description="the caller's folder (the app's own local token only)")
    env: dict[str, str] = Field(
        default_factory=dict, description="the caller's variables the command line names (--password-env VAR)"
    )


class GuardUploads:
    """Before an upload's body is read at all: its size must be declared (Content-Length) and within the limit,
    and its token valid. FastAPI parses a form before the route runs, so without this anyone could fill the
    disk with uploads that are refused only afterwards."""

    def __init__(self, app: Any, authenticate: Callable[[str], object]) -> None:
        self.app, self.authenticate = app, authenticate

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"].rstrip("/").endswith("/imports")
        ):
            headers = dict(scope["headers"])
            length = headers.get(b"content-length", b"").decode()
            refusal: JSONResponse | None = None
            if not length.isdigit():
                refusal = _error("Send the upload with its Content-Length.", 411)
            elif int(length) > MAX_UPLOAD_BYTES + FORM_OVERHEAD:
                refusal = _error(str(UploadTooLarge(MAX_UPLOAD_BYTES)), 413)
            else:
                try:
                    await anyio.to_thread.run_sync(
                        self.authenticate, headers.get(b"authorization", b"").decode()
                    )
                except BackofficeError as exc:
                    refusal = _error(str(exc), _status(exc, exc.exit_code))
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_api(
    database: Callable[[], Database], local_token: Callable[[], str | None] = lambda: None
) -> FastAPI:
    """The /api/v1 app over the database `database()` gives; `local_token()` is the app's own token for the
    `backoffice` of its machine (the system user), or None."""
    api = FastAPI(
        title="backoffice",
        version="1",
        description=__doc__ or "",
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )

    def caller(request: Request) -> Caller:
        return caller_of(request.headers.get("authorization", ""))

    def caller_of(header: str) -> Caller:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("Give a personal API token: Authorization: Bearer bo_…")
        local = local_token()
        if local and hmac.compare_digest(token.strip().encode(), local.encode()):
            return Caller(User.system("app-cli"), None, files=True)
        ctx = tokens.authenticate(database(), token.strip())
        return Caller(ctx.user, ctx.org_id, files=False)

    def run(
        who: Caller, argv: list[str], cwd: Path | None, env: dict[str, str] | None = None
    ) -> tuple[int, InApp]:
        where = InApp(database(), who.actor, who.org_id, cwd if who.files else None, who.files, env=env or {})
        return run_in_app(cli, argv, where), where

    @api.exception_handler(BackofficeError)
    def _backoffice(request: Request, exc: BackofficeError) -> JSONResponse:
        fields = [{"field": e.field, "message": e.message} for e in getattr(exc, "errors", [])]
        return _error(str(exc), _status(exc, exc.exit_code), fields)

    @api.exception_handler(RequestValidationError)
    def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = exc.errors()
        if any(p.get("type") == "json_invalid" for p in problems):
            return _error("The request body is not valid JSON.", 400)
        fields = [
            {
                "field": ".".join(str(x) for x in p.get("loc", ()) if x not in ("body", "query")),
                "message": p["msg"],
            }
            for p in problems
        ]
        return _error("; ".join(f"{f['field']}: {f['message']}" for f in fields), 422, fields)

    def answer(route: Route, code: int, where: InApp) -> Response:
        text = where.out.getvalue()  # type: ignore[attr-defined]
        if code == 0:
            body = json.loads(text) if text.strip() else {}
            return JSONResponse(body, status_code=201 if route.created else 200)
        message = where.err.getvalue().strip().removeprefix("error: ")  # type: ignore[attr-defined]
        fields = [{"field": e.field, "message": e.message} for e in getattr(where.failure, "errors", [])]
        return _error(message or "The command failed.", _status(where.failure, code), fields)

    for route in ROUTES:
        _add_route(api, route, caller, run, answer)
    api.add_middleware(GuardUploads, authenticate=caller_of)

    @api.post("/cli", tags=["command line"], summary="run a whole `backoffice` command line inside the app")
    def command_line(request: Request, line: CommandLine = Body(...)) -> JSONResponse:  # noqa: B008 - FastAPI
        who = caller(request)
        cwd = Path(line.cwd) if line.cwd and who.files else None
        code, where = run(who, line.argv, cwd, line.env)
        return JSONResponse(
            {
                "exit_code": code,
                "stdout": where.out.getvalue(),  # type: ignore[attr-defined]
                "stderr": where.err.getvalue(),  # type: ignore[attr-defined]
            }
        )

    def context_of(who: Caller, org: str | None) -> Context:
        db = database()
        if who.org_id is not None:
            token_org(db, who.org_id, org)
            return Context(db, who.actor, who.org_id)
        return Context(db, who.actor, find_org_id(db, org))

    @api.get(
        "/invoices/{number}/pdf",
        tags=["invoice"],
        summary="backoffice pdf invoice (or credit-note): the document's PDF, as it was issued",
        response_class=Response,
        responses={200: {"content": {"application/pdf": {}}}},
    )
    def invoice_pdf(
        request: Request, number: str, paper: str = "a4", language: str | None = None
    ) -> Response:
        from backoffice import documents

        ctx = context_of(caller(request), None)
        pdf = documents.render_invoice_pdf(ctx, number, paper, language)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{_safe_name(number)}.pdf"'},
        )

    @api.get(
        "/export",
        tags=["export"],
        summary="backoffice export: every table of the organization, a zip of CSV files (or one XLSX workbook)",
        response_class=Response,
        responses={200: {"content": {"application/zip": {}, _XLSX: {}}}},
    )
    def export(request: Request, format: str = "zip", org: str | None = None) -> Response:  # noqa: A002
        who = caller(request)
        ctx = context_of(who, org)
        if format not in ("zip", "xlsx"):
            raise ValidationError("format is zip or xlsx", "format")
        folder = Path(tempfile.mkdtemp(prefix="bo-export-"))
        try:
            name = f"export.{format}"
            where = InApp(ctx.db, ctx.user, ctx.org_id, folder, True)
            code = run_in_app(cli, ["export", "--out", name, "--json"], where)
            if code != 0:
                message = where.err.getvalue().strip().removeprefix("error: ")  # type: ignore[attr-defined]
                return _error(message, _status(where.failure, code))
            made = json.loads(where.out.getvalue())  # type: ignore[attr-defined]
            if made["in_zip"] and format == "xlsx":
                return _error(
                    "Some tables are too big for a workbook ("
                    + ", ".join(made["in_zip"])
                    + "): ask for format=zip.",
                    422,
                )
            data = (folder / name).read_bytes()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return Response(
            data,
            media_type="application/zip" if format == "zip" else _XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @api.post("/imports", status_code=202, tags=["import"], summary="backoffice import, as a job you poll")
    def import_upload(  # noqa: PLR0913 - the command's options, one form field each
        request: Request,
        file: UploadFile = File(..., description="the store's export: CSV, XLSX or Salla JSON"),  # noqa: B008
        store: str = Form(..., description="the store's name (created on first import)"),  # noqa: B008
        profile: str = Form("generic", description="salla-json, shopify, generic or a saved mapping's name"),  # noqa: B008
        mapping: str | None = Form(None, description="JSON {generic_column: source_header}"),  # noqa: B008
        dry_run: bool = Form(False),  # noqa: B008
        all_or_nothing: bool = Form(False),  # noqa: B008
        allow_dates: bool = Form(False),  # noqa: B008
        auto_paid: bool | None = Form(None),  # noqa: B008
        default_customer: bool | None = Form(None),  # noqa: B008
        allow_negative_stock: bool | None = Form(None),  # noqa: B008
        org: str | None = Form(None, description="the organization (the app's own token only)"),  # noqa: B008
    ) -> JSONResponse:
        who = caller(request)
        ctx = context_of(who, org)
        ctx.require(jobs.PERMISSION["import"])  # before the upload is even read
        folder = Path(tempfile.mkdtemp(prefix="bo-upload-"))
        try:
            name = _safe_name(file.filename or "upload.csv")
            _save(file, folder / name)
            argv = ["import", name, "--store", store, "--profile", profile, "--json"]
            if mapping:
                (folder / "mapping.json").write_text(mapping, encoding="utf-8")
                argv += ["--mapping", "mapping.json"]
            argv += [f"--{k.replace('_', '-')}" for k, v in
                     (("dry_run", dry_run), ("all_or_nothing", all_or_nothing), ("allow_dates", allow_dates)) if v]  # fmt: skip
            for key, value in (("auto-paid", auto_paid), ("default-customer", default_customer),
                               ("allow-negative-stock", allow_negative_stock)):  # fmt: skip
                if value is not None:
                    argv.append(f"--{key}" if value else f"--no-{key}")
            job_id = jobs.start_job(ctx, "import")
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        threading.Thread(
            target=_run_job, args=(ctx, job_id, argv, folder), name=f"job-{job_id}", daemon=True
        ).start()
        return JSONResponse(
            {"job": job_id, "status": "running", "poll": f"/api/v1/jobs/{job_id}"}, status_code=202
        )

    @api.get("/jobs/{job_id}", tags=["import"], summary="a job's progress and, when it has ended, its result")
    def job(request: Request, job_id: int, org: str | None = None) -> JSONResponse:
        ctx = context_of(caller(request), org)
        return JSONResponse(json.loads(json.dumps(jobs.get_job(ctx, job_id), default=str)))

    return api


def _safe_name(name: str) -> str:
    """The upload's own name without any folder, kept readable (its extension says how to read it)."""
    base = re.sub(r"[^\w.\- ]", "_", Path(name).name).strip(" .") or "upload"
    return base[:120]


def _save(upload: UploadFile, target: Path) -> None:
    """The upload onto disk, refused with 413 past BACKOFFICE_MAX_UPLOAD_MB (nothing is kept)."""
    written = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(1 << 20):
            written += len(chunk)
            if written > MAX_UPLOAD_BYTES:
                raise UploadTooLarge(MAX_UPLOAD_BYTES)
            out.write(chunk)


def _run_job(ctx: Context, job_id: int, argv: list[str], folder: Path) -> None:
    """The job's command in the background, its progress and result kept; its upload removed at the end."""
    last: list[tuple[int, str]] = [(-1, "")]

    def progress(fraction: float, stage: str) -> None:
        step = (round(fraction * 100), stage)
        if step != last[0]:
            last[0] = step
            jobs.report_progress(ctx, job_id, fraction, stage)

    where = InApp(ctx.db, ctx.user, ctx.org_id, folder, True, progress=progress)
    try:
        code = run_in_app(cli, argv, where)
        jobs.finish_job(ctx, job_id, code, where.out.getvalue(), where.err.getvalue())  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001 - whatever ended it, the job says so instead of running forever
        # as the app itself: the user may have lost access meanwhile, which must not leave the job running
        jobs.finish_job(
            Context(ctx.db, User.system("jobs"), ctx.org_id), job_id, 1, "", f"{type(exc).__name__}: {exc}"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _add_route(
    api: FastAPI,
    route: Route,
    caller: Callable[[Request], Caller],
    run: Callable[[Caller, list[str], Path | None], tuple[int, InApp]],
    answer: Callable[[Route, int, InApp], Response],
) -> None:
    command = _command(route.command)
    model = _model(route, command)
    path_names = [p.strip("{}") for p in route.path.split("/") if p.startswith("{")]
    has_body = route.method in ("POST", "PATCH", "PUT")

    def endpoint(request: Request, **kwargs: Any) -> Response:
        who = caller(request)
        request_model = kwargs.pop("request_model", None)
        values = request_model.model_dump(exclude_none=True) if request_model is not None else {}
        argv = [*route.command, "--json", *_argv(command, values, kwargs)]
        code, where = run(who, argv, None)
        return answer(route, code, where)

    parameters = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
    parameters += [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=str) for n in path_names]
    if model.model_fields:
        default = Body(default=None) if has_body else Query()
        annotation = model | None if has_body else model
        parameters.append(
            inspect.Parameter(
                "request_model", inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
            )
        )
    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    endpoint.__name__ = "_".join(route.command).replace("-", "_")
    api.add_api_route(
        route.path,
        endpoint,
        methods=[route.method],
        status_code=201 if route.created else 200,
        summary=f"backoffice {' '.join(route.command)}",
        description=command.help or "",
        tags=[route.command[0]],
    )
