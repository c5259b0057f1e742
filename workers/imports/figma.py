"""A Figma file, read through the REST API and told as a short design summary the agent can build
from: its pages, their top-level frames with sizes, the type styles, sample texts and colours."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

import msgspec

from domain.entities import Import
from workers.imports.http import ImportFailed, ProviderApi

MAX_RESPONSE_BYTES = 64 * 1024 * 1024
"""A Figma document is one JSON tree, large for big files; beyond this the import is refused."""
MAX_NODES = 100_000
"""Nodes looked at for styles, texts and colours; the rest of a huge file is not summarised."""
PAGES_LISTED = 10
FRAMES_PER_PAGE = 15
TEXT_STYLES_LISTED = 8
TEXTS_LISTED = 25
TEXT_CHARS = 80
COLOURS_LISTED = 12
NAMED_STYLES_LISTED = 20
SUMMARY_MAX_CHARS = 4000

_KEY = re.compile(r"^[A-Za-z0-9]{10,128}$")
_FILE_PATHS = frozenset({"file", "design", "proto", "board"})


class Box(msgspec.Struct, frozen=True):
    width: float
    height: float


class Color(msgspec.Struct, frozen=True):
    r: float
    g: float
    b: float
    a: float = 1.0


class Paint(msgspec.Struct, frozen=True):
    type: str
    color: Color | None = None
    visible: bool = True


class TypeStyle(msgspec.Struct, frozen=True, rename="camel"):
    font_family: str | None = None
    font_weight: float | None = None
    font_size: float | None = None


class Node(msgspec.Struct, frozen=True, rename="camel"):
    name: str = ""
    type: str = ""
    children: list[Node] = []
    absolute_bounding_box: Box | None = None
    characters: str | None = None
    style: TypeStyle | None = None
    fills: list[Paint] = []
    visible: bool = True


class NamedStyle(msgspec.Struct, frozen=True, rename="camel"):
    name: str
    style_type: str


class FigmaFile(msgspec.Struct, frozen=True, rename="camel"):
    name: str
    document: Node
    last_modified: str | None = None
    version: str | None = None
    styles: dict[str, NamedStyle] = {}


def file_key(record: Import) -> str:
    """The file key from `sourceUrl` (https://www.figma.com/file/KEY/Name or /design/KEY/…), else
    `sourceId`."""
    parts = [p for p in urlsplit(record.source_url).path.split("/") if p]
    if len(parts) >= 2 and parts[0] in _FILE_PATHS and _KEY.match(parts[1]):
        return parts[1]
    if _KEY.match(record.source_id.strip()):
        return record.source_id.strip()
    raise ImportFailed(
        "Which Figma file to import is unclear: give sourceUrl as https://www.figma.com/design/KEY/Name."
    )


async def fetch_file(api: ProviderApi, key: str) -> FigmaFile:
    return await api.get(f"/v1/files/{key}", f"Figma file {key}", FigmaFile)


def design_summary(design: FigmaFile) -> str:
    """Readable text, at most SUMMARY_MAX_CHARS long, most telling parts first."""
    pages = design.document.children
    lines = [
        f'Figma file "{design.name}"'
        + (f" (last modified {design.last_modified})" if design.last_modified else "")
    ]
    lines.append(f"Pages ({len(pages)}): " + ", ".join(p.name for p in pages[:PAGES_LISTED]))
    for page in pages[:PAGES_LISTED]:
        frames = [n for n in page.children if n.visible and n.type not in ("TEXT", "VECTOR")]
        if frames:
            lines.append(f'Page "{page.name}", top-level frames:')
            lines += [f"- {_frame(n)}" for n in frames[:FRAMES_PER_PAGE]]
            if len(frames) > FRAMES_PER_PAGE:
                lines.append(f"- … and {len(frames) - FRAMES_PER_PAGE} more")
    type_styles, texts, colours = _survey(design.document)
    if type_styles:
        lines.append(
            "Text styles (uses): "
            + "; ".join(f"{s} ({n})" for s, n in type_styles.most_common(TEXT_STYLES_LISTED))
        )
    if colours:
        lines.append(
            "Colours (uses): " + ", ".join(f"{c} ({n})" for c, n in colours.most_common(COLOURS_LISTED))
        )
    if texts:
        lines.append("Texts: " + "; ".join(f'"{t}"' for t in texts[:TEXTS_LISTED]))
    named = sorted(f"{s.name} ({s.style_type.lower()})" for s in design.styles.values())
    if named:
        lines.append("Named styles: " + ", ".join(named[:NAMED_STYLES_LISTED]))
    summary = "\n".join(lines)
    return summary if len(summary) <= SUMMARY_MAX_CHARS else summary[: SUMMARY_MAX_CHARS - 1].rstrip() + "…"


def _frame(node: Node) -> str:
    kind = node.type.lower()
    box = node.absolute_bounding_box
    size = f", {round(box.width)}x{round(box.height)}" if box is not None else ""
    return f"{node.name} ({kind}{size})"


def _survey(document: Node) -> tuple[Counter[str], list[str], Counter[str]]:
    """Type styles and colours by use, and distinct texts in reading order, of the visible nodes."""
    type_styles: Counter[str] = Counter()
    colours: Counter[str] = Counter()
    texts: list[str] = []
    seen: set[str] = set()
    stack = [document]
    looked_at = 0
    while stack and looked_at < MAX_NODES:
        node = stack.pop()
        looked_at += 1
        if not node.visible:
            continue
        for paint in node.fills:
            if paint.visible and paint.type == "SOLID" and paint.color is not None:
                colours[_hex(paint.color)] += 1
        if node.type == "TEXT":
            if node.style is not None and node.style.font_family:
                type_styles[_type_style(node.style)] += 1
            text = " ".join((node.characters or "").split())
            if text and text not in seen:
                seen.add(text)
                texts.append(text if len(text) <= TEXT_CHARS else text[: TEXT_CHARS - 1] + "…")
        stack.extend(reversed(node.children))
    return type_styles, texts, colours


def _type_style(style: TypeStyle) -> str:
    size = f" {style.font_size:g}px" if style.font_size else ""
    weight = f" {style.font_weight:g}" if style.font_weight else ""
    return f"{style.font_family}{size}{weight}"


def _hex(color: Color) -> str:
    rgb = "".join(f"{round(max(0.0, min(1.0, c)) * 255):02X}" for c in (color.r, color.g, color.b))
    return f"#{rgb}" if color.a >= 1 else f"#{rgb} at {round(color.a * 100)}%"
