"""The OpenAPI 3.1 document, generated from the pydantic models the endpoints use.

OpenAPI 3.1 speaks JSON Schema 2020-12, which is what pydantic writes, so the schemas are
taken as pydantic makes them; this module only lays them out as operations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from tracker.api import schemas

REF = "#/components/schemas/{model}"
PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class Operation:
    """One GET endpoint as the document describes it."""

    path: str  # OpenAPI form: /brands/{slug}
    operation_id: str
    summary: str
    answer: type[BaseModel]
    tag: str
    query: type[BaseModel] | None = None
    path_parameters: dict[str, dict] = field(default_factory=dict)
    description: str = ""
    errors: tuple[int, ...] = (400, 406)


OPERATIONS: list[Operation] = []

ERROR_TEXT = {
    400: "A parameter is unknown or its value is not allowed.",
    404: "No published record answers to this address.",
    406: "The Accept header allows no JSON answer.",
}


def register(operation: Operation) -> Operation:
    OPERATIONS.append(operation)
    return operation


def _parameters(operation: Operation, component_schemas: dict) -> list[dict]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": schema}
        for name, schema in operation.path_parameters.items()
    ]
    if operation.query is None:
        return parameters
    schema = operation.query.model_json_schema(ref_template=REF)
    component_schemas.update(schema.pop("$defs", {}))
    required = set(schema.get("required", []))
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        # A query parameter is either given or absent; "null" is not a value it can take.
        if "anyOf" in prop:
            options = [option for option in prop["anyOf"] if option.get("type") != "null"]
            prop.pop("anyOf")
            prop.update(options[0] if len(options) == 1 else {"anyOf": options})
        if prop.get("default") is None:
            prop.pop("default", None)
        parameter = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _responses(operation: Operation) -> dict:
    headers = {
        "ETag": {"schema": {"type": "string"}, "description": "Version of this answer."},
        "Last-Modified": {"schema": {"type": "string"}, "description": "Last change."},
    }
    answers: dict[str, dict] = {
        "200": {
            "description": "OK",
            "headers": headers,
            "content": {
                "application/json": {
                    "schema": {"$ref": REF.format(model=operation.answer.__name__)}
                }
            },
        },
        "304": {"description": "Not modified since the ETag or date the client holds."},
    }
    for code in sorted({*operation.errors, 406}):
        answers[str(code)] = {
            "description": ERROR_TEXT[code],
            "content": {PROBLEM_JSON: {"schema": {"$ref": REF.format(model="Problem")}}},
        }
    return answers


def document(*, server_url: str, version: str) -> dict:
    """Return the OpenAPI 3.1 description of every registered endpoint."""
    answers = {operation.answer for operation in OPERATIONS} | {schemas.Problem}
    _, top = models_json_schema(
        [(model, "serialization") for model in sorted(answers, key=lambda m: m.__name__)],
        ref_template=REF,
    )
    component_schemas: dict = dict(top.get("$defs", {}))
    paths: dict[str, dict] = {}
    for operation in OPERATIONS:
        paths.setdefault(operation.path, {})["get"] = {
            "operationId": operation.operation_id,
            "summary": operation.summary,
            "description": operation.description or operation.summary,
            "tags": [operation.tag],
            "parameters": _parameters(operation, component_schemas),
            "responses": _responses(operation),
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Claims & Evidence read API",
            "version": version,
            "summary": "Brands' sustainability claims and the evidence that contradicts them.",
            "description": (
                "Read-only access to every published record of the tracker. Lists are in id "
                "order, a page at a time: follow `links.next` until it is null. Answers carry "
                "an ETag and Last-Modified; send them back (If-None-Match, If-Modified-Since) "
                "to get 304 when nothing changed. Errors are RFC 9457 problem details. Open to "
                "any origin (CORS). Data under CC BY 4.0."
            ),
            "license": {
                "name": "CC BY 4.0 (data)",
                "identifier": "CC-BY-4.0",
            },
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [{"url": server_url}],
        "tags": [
            {"name": name} for name in dict.fromkeys(operation.tag for operation in OPERATIONS)
        ],
        "paths": paths,
        "components": {"schemas": dict(sorted(component_schemas.items()))},
    }
