"""A project's code as a Yjs document: the `Y.Map` `files` maps each path to a `Y.Text`.

pycrdt counts text positions in UTF-8 bytes; everything here takes and gives code points (Python
string positions), converting at the edge."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from pycrdt import Doc, Map, Text

from domain.rules.text_edits import minimal_edits, rebased_edits

FILES = "files"
EMPTY_UPDATE = b"\x00\x00"
"""An update without inserts or deletes, as Yjs encodes it."""


class FilesDoc:
    def __init__(self, updates: Iterable[bytes] = ()) -> None:
        self.doc: Doc[Map[Text]] = Doc()
        self._files: Map[Text] = self.doc.get(FILES, type=Map)
        for update in updates:
            self.doc.apply_update(update)

    def files(self) -> dict[str, str]:
        return {path: str(text) for path, text in self._files.items() if isinstance(text, Text)}

    def apply(self, update: bytes) -> None:
        """Merges an update made elsewhere; ValueError if it cannot be decoded."""
        self.doc.apply_update(update)

    def state(self) -> bytes:
        """The state vector: what this document has, for another to send what it misses."""
        return self.doc.get_state()

    def update(self, since: bytes | None = None) -> bytes:
        """Everything this document has that a document at state `since` misses (all of it by
        default: a snapshot)."""
        return self.doc.get_update(since) if since is not None else self.doc.get_update()

    def write(
        self,
        files: Mapping[str, str],
        remove_others: bool = False,
        base: Mapping[str, str] | None = None,
        remove: Collection[str] = (),
    ) -> bytes | None:
        """Makes these files' texts as given with the smallest edits, and removes the files not
        given when `remove_others`; the update that did it, None when nothing changed.

        With `base`, the files as the writer last saw them, the writer's changes since then are
        merged with the document's (rebased_edits): what others typed meanwhile stays, and only
        the files the writer saw and left out are removed. `remove` names files to remove."""
        made: list[bytes] = []
        subscription = self.doc.observe(lambda event: made.append(event.update))
        try:
            with self.doc.transaction():
                present = list(self._files.keys())
                for path in present:
                    if path in remove or (
                        remove_others and path not in files and (base is None or path in base)
                    ):
                        del self._files[path]
                for path, content in files.items():
                    self._write_one(path, content, None if base is None else base.get(path))
        finally:
            self.doc.unobserve(subscription)
        return made[0] if made and made[0] != EMPTY_UPDATE else None

    def _write_one(self, path: str, content: str, seen: str | None) -> None:
        current = self._files.get(path)
        if not isinstance(current, Text):
            self._files[path] = Text(content)
            return
        old = str(current)
        edits = minimal_edits(old, content) if seen is None else rebased_edits(seen, content, old)
        for edit in reversed(edits):  # from the end: earlier offsets hold
            start = len(old[: edit.start].encode())
            end = start + len(old[edit.start : edit.end].encode())
            if end > start:
                del current[start:end]
            if edit.text:
                current.insert(start, edit.text)
