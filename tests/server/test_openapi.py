"""The OpenAPI document describes every route with schemas, problems and examples."""

from __future__ import annotations

PROBLEM = "application/problem+json"
JSON = "application/json"


async def document(client):
    return (await client.get("/schema/openapi.json")).json()


async def test_every_api_operation_has_an_id_a_success_schema_and_problem_responses(client):
    schema = await document(client)

    incomplete = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            success = next(v for k, v in operation["responses"].items() if k.startswith("2"))
            problems = {
                k for k, v in operation["responses"].items() if "application/problem+json" in v["content"]
            }
            if not operation.get("operationId") or not success.get("content"):
                incomplete.append(f"{method} {path}")
            if path.startswith("/api/") and not {"400", "401", "429"} <= problems:
                incomplete.append(f"{method} {path}: problems {sorted(problems)}")

    assert incomplete == []


async def test_every_request_body_has_a_schema(client):
    schema = await document(client)

    missing = [
        f"{method} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
        and "schema" not in operation["requestBody"]["content"]["application/json"]
    ]

    assert missing == []


async def test_every_body_schema_has_an_example(client):
    components = (await document(client))["components"]["schemas"]

    without = [
        name for name, schema in components.items() if "enum" not in schema and not schema.get("examples")
    ]

    assert without == []


async def test_the_project_example_is_the_rest_references(client):
    components = (await document(client))["components"]["schemas"]

    [example] = components["CreateProject"]["examples"]
    assert example["message"] == "Build a to-do list app with a clean, minimal design"


async def test_both_prompt_routes_document_the_idempotency_key_and_its_refusals(client):
    paths = (await document(client))["paths"]

    documented = [
        (
            [p["name"] for p in paths[path]["post"]["parameters"] if p["in"] == "header"],
            {"409", "422"} <= set(paths[path]["post"]["responses"]),
        )
        for path in ("/api/projects", "/api/projects/{project_id}/messages")
    ]

    assert documented == [(["Idempotency-Key"], True)] * 2
