"""The read API at /api/v1/: published records as JSON, cacheable, open to every origin."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, render_template, request
from flask import Response as HttpResponse
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from tracker import legal
from tracker.api import openapi, schemas, serialise
from tracker.api.openapi import Operation
from tracker.db import get_session
from tracker.models import EntityType
from tracker.services import published, timeline
from tracker.services.claim_flags import flags_of_brand
from tracker.services.published import Moved, NotPublished

API_VERSION = "1.0.0"
MAX_ID = schemas.MAX_ID
JSON_TYPES = ("application/json", "application/problem+json")
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since, Accept",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Link",
    "Access-Control-Max-Age": "86400",
}

bp = Blueprint("api", __name__, url_prefix="/api/v1")


# --- Answers and errors ---------------------------------------------------------------


class BadParameters(Exception):
    def __init__(self, errors: list[schemas.ParameterError]):
        super().__init__("bad parameters")
        self.errors = errors


def problem(
    status: int,
    *,
    detail: str | None = None,
    errors: list[schemas.ParameterError] | None = None,
    kind: str = "about:blank",
    headers: dict | None = None,
) -> HttpResponse:
    """Answer with RFC 9457 problem details."""
    body = schemas.Problem(
        type=kind,
        title=HTTP_STATUS_CODES.get(status, "Error"),
        status=status,
        detail=detail,
        instance=request.path,
        errors=errors,
    )
    response = HttpResponse(
        body.model_dump_json(exclude_none=True),
        status=status,
        mimetype="application/problem+json",
        headers=headers,
    )
    response.headers.update(CORS_HEADERS)
    return response


def render_http_error(error: HTTPException) -> HttpResponse:
    """Answer an HTTP error under /api/ as problem details, keeping headers such as Allow."""
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    return problem(error.code or 500, detail=error.description, headers=headers)


def render_internal_error(error: Exception) -> HttpResponse:
    current_app.logger.exception("API request failed", exc_info=error)
    return problem(500, detail="Something went wrong on our side. Please try again later.")


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return render_http_error(error)


@bp.errorhandler(BadParameters)
def _bad_parameters(error: BadParameters):
    return problem(
        400,
        detail="Some parameters are not valid; see errors.",
        errors=error.errors,
        kind=request.url_root + "api/v1/docs#problem-invalid-parameter",
    )


@bp.before_request
def _negotiate():
    if request.endpoint == "api.docs" or request.method == "OPTIONS":
        return None
    if request.headers.get("Accept") and not request.accept_mimetypes.best_match(JSON_TYPES):
        return problem(406, detail="This API answers in JSON only (application/json).")
    return None


@bp.after_request
def _cors(response: HttpResponse) -> HttpResponse:
    response.headers.update(CORS_HEADERS)
    return response


def parse(model: type[BaseModel]) -> BaseModel:
    """Read the query string into a query model; raise BadParameters with every problem."""
    values = {}
    errors = []
    for name in request.args:
        given = request.args.getlist(name)
        if len(given) > 1:
            errors.append(schemas.ParameterError(parameter=name, message="given more than once"))
        values[name] = given[0]
    try:
        query = model.model_validate(values)
    except ValidationError as error:
        for item in error.errors(include_url=False, include_input=False):
            name = ".".join(str(part) for part in item["loc"]) or "query"
            message = item["msg"]
            if item["type"] == "extra_forbidden":
                allowed = ", ".join(model.model_fields)
                message = f"unknown parameter; this list accepts {allowed}"
            errors.append(schemas.ParameterError(parameter=name, message=message))
        raise BadParameters(errors) from None
    if errors:
        raise BadParameters(errors)
    return query


def _version() -> tuple[str, object]:
    stamp = published.dataset_stamp(get_session())
    # Legal flags change without a revision when the rules file changes: its digest counts.
    rules = legal.current_rules().digest
    tag = hashlib.sha1(
        f"{API_VERSION}|{stamp.revision_id}|{rules}|{request.url}".encode()
    ).hexdigest()
    return tag, stamp.changed_at


def _not_modified(etag: str, changed_at) -> bool:
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag)
    if request.if_modified_since and changed_at is not None:
        return changed_at.replace(microsecond=0) <= request.if_modified_since
    return False


def _cache_headers(response: HttpResponse, etag: str, changed_at) -> HttpResponse:
    response.set_etag(etag, weak=True)
    if changed_at is not None:
        response.last_modified = changed_at
    response.cache_control.public = True
    response.cache_control.max_age = 60
    return response


def linker() -> serialise.Linker:
    return serialise.Linker(root=request.url_root)


# --- Endpoints ------------------------------------------------------------------------


def api_get(path: str, operation: Operation):
    """Register a GET route and its description in the OpenAPI document together."""
    openapi.register(operation)

    def decorator(view):
        bp.add_url_rule(path, endpoint=operation.operation_id, view_func=view, methods=["GET"])
        return view

    return decorator


@bp.get("/")
def index():
    root = request.url_root + "api/v1/"
    endpoints = [
        schemas.Endpoint(name=name, href=root + name)
        for name in ("brands", "claims", "contradictions", "sources", "responses", "outcomes")
    ]
    answer = schemas.ApiIndex(
        version=API_VERSION,
        documentation=root + "docs",
        openapi=root + "openapi.json",
        licence="https://creativecommons.org/licenses/by/4.0/",
        endpoints=endpoints,
    )
    return HttpResponse(answer.model_dump_json(), mimetype="application/json")


@bp.get("/openapi.json")
def openapi_document():
    return openapi.document(server_url=request.url_root + "api/v1", version=API_VERSION)


@bp.get("/docs")
def docs():
    document = openapi.document(server_url=request.url_root + "api/v1", version=API_VERSION)
    return render_template("api/docs.html", document=document)


LIST_QUERIES = {
    EntityType.brand: (schemas.BrandQuery, schemas.BrandList),
    EntityType.claim: (schemas.ClaimQuery, schemas.ClaimList),
    EntityType.contradiction: (schemas.ContradictionQuery, schemas.ContradictionList),
    EntityType.response: (schemas.ResponseQuery, schemas.ResponseList),
    EntityType.outcome: (schemas.OutcomeQuery, schemas.OutcomeList),
    EntityType.source: (schemas.SourceQuery, schemas.SourceList),
}
ANSWERS = {
    EntityType.brand: schemas.BrandOut,
    EntityType.claim: schemas.ClaimOut,
    EntityType.contradiction: schemas.ContradictionOut,
    EntityType.response: schemas.ResponseOut,
    EntityType.outcome: schemas.OutcomeOut,
    EntityType.source: schemas.SourceOut,
}
PLURAL = {
    EntityType.brand: "brands",
    EntityType.claim: "claims",
    EntityType.contradiction: "contradictions",
    EntityType.response: "responses",
    EntityType.outcome: "outcomes",
    EntityType.source: "sources",
}
PAGING = frozenset({"limit", "after"})


def _next_link(after: int | None) -> str | None:
    if after is None:
        return None
    args = {name: value for name, value in request.args.items() if name != "after"}
    args["after"] = str(after)
    return f"{request.base_url}?{urlencode(args)}"


def _list_view(entity_type: EntityType):
    query_model, page_model = LIST_QUERIES[entity_type]
    serialiser = serialise.SERIALISERS[entity_type]

    def view():
        query = parse(query_model)

        def build():
            values = query.model_dump()
            filters = {name: value for name, value in values.items() if name not in PAGING}
            if filters.get("country"):
                filters["country"] = filters["country"].upper()
            page = published.published_page(
                get_session(),
                entity_type=entity_type,
                filters=filters,
                after=query.after,
                limit=query.limit,
            )
            links = linker()
            answer = page_model(
                data=[serialiser(record, links) for record in page.records],
                links=schemas.Links(self=request.url, next=_next_link(page.next_after)),
            )
            response = HttpResponse(answer.model_dump_json(), mimetype="application/json")
            if answer.links.next:
                response.headers["Link"] = f'<{answer.links.next}>; rel="next"'
            return response

        return _with_cache(build)

    return view


def _with_cache(build) -> HttpResponse:
    etag, changed_at = _version()
    if _not_modified(etag, changed_at):
        return _cache_headers(HttpResponse(status=304), etag, changed_at)
    response = build()
    if isinstance(response, BaseModel):
        response = HttpResponse(response.model_dump_json(), mimetype="application/json")
    return _cache_headers(response, etag, changed_at)


def _record(entity_type: EntityType, key: int | str):
    if (isinstance(key, int) and key > MAX_ID) or (isinstance(key, str) and "\x00" in key):
        abort(404)
    try:
        return published.published_record(get_session(), entity_type=entity_type, key=key)
    except NotPublished:
        abort(404, description="No published record answers to this address.")
    except Moved as moved:
        target = moved.target
        target_key = target.slug if entity_type is EntityType.brand else target.id
        response = HttpResponse(status=301)
        response.headers["Location"] = linker().api(entity_type, target_key)
        abort(response)


def _detail_view(entity_type: EntityType):
    serialiser = serialise.SERIALISERS[entity_type]

    def view(key):
        parse(schemas.NoQuery)
        return _with_cache(lambda: serialiser(_record(entity_type, key), linker()))

    return view


ID_PARAMETER = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
SLUG_PARAMETER = {"type": "string", "minLength": 1, "maxLength": 120, "pattern": schemas.TEXT}

for _type, _plural in PLURAL.items():
    _query, _page = LIST_QUERIES[_type]
    _name = _type.value
    api_get(
        f"/{_plural}",
        Operation(
            path=f"/{_plural}",
            operation_id=f"list_{_plural}",
            summary=f"List published {_plural}",
            answer=_page,
            tag=_plural,
            query=_query,
        ),
    )(_list_view(_type))
    is_brand = _type is EntityType.brand
    api_get(
        f"/{_plural}/<{'string' if is_brand else 'int'}:key>",
        Operation(
            path=f"/{_plural}/{{{'slug' if is_brand else 'id'}}}",
            operation_id=f"get_{_name}",
            summary=f"One published {_name}" + (" by its slug" if is_brand else " by its id"),
            answer=ANSWERS[_type],
            tag=_plural,
            query=schemas.NoQuery,
            path_parameters={"slug": SLUG_PARAMETER} if is_brand else {"id": ID_PARAMETER},
            errors=(400, 404),
        ),
    )(_detail_view(_type))


@api_get(
    "/brands/<string:key>/timeline",
    Operation(
        path="/brands/{slug}/timeline",
        operation_id="get_brand_timeline",
        summary="A brand's timeline: every published event, newest first, with counts",
        answer=schemas.TimelineOut,
        tag="brands",
        query=schemas.NoQuery,
        path_parameters={"slug": SLUG_PARAMETER},
        errors=(400, 404),
    ),
)
def brand_timeline(key: str):
    parse(schemas.NoQuery)

    def build():
        brand = _record(EntityType.brand, key)
        session = get_session()
        value = timeline.brand_timeline(session, brand)
        cited = {c.source_id for event in value.events for c in event.citations}
        public = published.published_source_ids(session, cited)
        flags = flags_of_brand(session, brand.id)
        return serialise.timeline(value, linker(), public, flags)

    return _with_cache(build)


def describe_type(schema: dict) -> str:
    """Write a JSON Schema type the way the documentation page shows it."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(describe_type(option) for option in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(f'"{value}"' for value in schema["enum"])
    if "const" in schema:
        return f'"{schema["const"]}"'
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {describe_type(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema:
        return f"object of {describe_type(schema['additionalProperties'])}"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return str(kind)


bp.add_app_template_global(describe_type, "describe_api_type")
