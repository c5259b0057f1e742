"""A local server speaking Figma's REST API for `GET /v1/files/:key`, with Figma's document shape
and its error bodies (`{"status": 404, "err": "Not found"}`).

    async with FakeFigma(token="figu_test") as figma:
        figma.files["aBcDeFgHiJkLmNoP"] = todo_design()

An OAuth token comes as `Authorization: Bearer <token>`; any other gets 403 "Invalid token".
"""

from __future__ import annotations

from typing import Any

from tests.fakes.json_server import Answer, JsonServer, Request

INVALID_TOKEN: Answer = (403, {"status": 403, "err": "Invalid token"})
NOT_FOUND: Answer = (404, {"status": 404, "err": "Not found"})


class FakeFigma(JsonServer):
    def __init__(self, token: str = "figu_test_token") -> None:
        super().__init__()
        self.token = token
        self.files: dict[str, dict[str, Any]] = {}

    async def __aenter__(self) -> FakeFigma:
        await super().__aenter__()
        return self

    def answer(self, request: Request) -> Answer:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return INVALID_TOKEN
        parts = request.path.strip("/").split("/")
        if request.method == "GET" and parts[:2] == ["v1", "files"] and len(parts) == 3:
            design = self.files.get(parts[2])
            return (200, design) if design is not None else NOT_FOUND
        return NOT_FOUND


def solid(r: float, g: float, b: float) -> dict[str, Any]:
    return {"blendMode": "NORMAL", "type": "SOLID", "color": {"r": r, "g": g, "b": b, "a": 1}}


def text(node_id: str, characters: str, size: int, weight: int = 400) -> dict[str, Any]:
    return {
        "id": node_id,
        "name": characters[:20],
        "type": "TEXT",
        "characters": characters,
        "style": {
            "fontFamily": "Inter",
            "fontWeight": weight,
            "fontSize": size,
            "textAlignHorizontal": "LEFT",
        },
        "fills": [solid(0.067, 0.067, 0.067)],
        "absoluteBoundingBox": {"x": 0, "y": 0, "width": 200, "height": size * 1.4},
    }


def frame(node_id: str, name: str, width: int, height: int, children: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": node_id,
        "name": name,
        "type": "FRAME",
        "absoluteBoundingBox": {"x": 0, "y": 0, "width": width, "height": height},
        "fills": [solid(1, 1, 1)],
        "children": children,
    }


def todo_design(name: str = "Todo App") -> dict[str, Any]:
    """A small file as Figma sends it: two pages, frames, texts, colours and named styles."""
    return {
        "name": name,
        "role": "owner",
        "lastModified": "2024-04-05T12:00:00Z",
        "editorType": "figma",
        "thumbnailUrl": "https://s3-alpha.figma.com/thumbnails/fake",
        "version": "1234567890",
        "schemaVersion": 0,
        "document": {
            "id": "0:0",
            "name": "Document",
            "type": "DOCUMENT",
            "children": [
                {
                    "id": "0:1",
                    "name": "Home",
                    "type": "CANVAS",
                    "backgroundColor": {"r": 0.96, "g": 0.96, "b": 0.96, "a": 1},
                    "children": [
                        frame(
                            "1:1",
                            "Desktop",
                            1440,
                            1024,
                            [
                                text("1:2", "My todos", 32, 700),
                                text("1:3", "Add a task", 16),
                                {
                                    "id": "1:4",
                                    "name": "Button",
                                    "type": "RECTANGLE",
                                    "fills": [solid(0.31, 0.275, 0.898)],
                                    "absoluteBoundingBox": {"x": 0, "y": 0, "width": 120, "height": 40},
                                },
                            ],
                        ),
                        frame("2:1", "Mobile", 375, 812, [text("2:2", "My todos", 24, 700)]),
                    ],
                },
                {"id": "0:2", "name": "Components", "type": "CANVAS", "children": []},
            ],
        },
        "components": {},
        "componentSets": {},
        "styles": {
            "3:1": {"key": "k1", "name": "Primary", "styleType": "FILL", "remote": False, "description": ""},
            "3:2": {"key": "k2", "name": "Heading", "styleType": "TEXT", "remote": False, "description": ""},
        },
    }
