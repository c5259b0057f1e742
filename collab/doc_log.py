"""Reading a project's shared document from its update log, inside the caller's transaction.

A project whose log is empty (made before the shared document existed) starts its document from
its latest app, as runs used to pick it: the draft when it changed after the latest fragment,
else that fragment. Two processes doing that at once write each file under the same key, and one
wins; from then on runs, restores and people all write the document."""

from __future__ import annotations

from collab.files_doc import FilesDoc
from domain.clock import Clock
from domain.entities import DocUpdate, Files
from domain.ids import DocUpdateId, ProjectId, new_id
from domain.ports import Storage


async def load(storage: Storage, clock: Clock, project_id: ProjectId) -> tuple[FilesDoc, list[DocUpdate]]:
    """The document and the updates it was read from; call it inside a transaction."""
    updates = await storage.docs.read(project_id)
    if updates:
        return FilesDoc(u.data for u in updates), updates
    doc = FilesDoc()
    latest = await _latest_app(storage, project_id)
    seed = doc.write(latest) if latest else None
    if seed is None:
        return doc, []
    first = DocUpdate(id=DocUpdateId(new_id()), project_id=project_id, data=seed, created_at=clock.now())
    await storage.docs.append(first)
    return doc, [first]


async def _latest_app(storage: Storage, project_id: ProjectId) -> Files:
    fragment = await storage.fragments.latest_for_project(project_id)
    draft = await storage.drafts.get_for_project(project_id)
    if draft is not None and draft.files and (fragment is None or draft.updated_at > fragment.created_at):
        return draft.files
    return fragment.files if fragment is not None else {}


async def append(storage: Storage, clock: Clock, project_id: ProjectId, update: bytes) -> None:
    await storage.docs.append(
        DocUpdate(id=DocUpdateId(new_id()), project_id=project_id, data=update, created_at=clock.now())
    )


async def compact(storage: Storage, clock: Clock, project_id: ProjectId) -> FilesDoc:
    """Merges the log into one update (when it has more than one); the document it holds."""
    doc, updates = await load(storage, clock, project_id)
    if len(updates) > 1:
        merged = DocUpdate(
            id=DocUpdateId(new_id()), project_id=project_id, data=doc.update(), created_at=clock.now()
        )
        await storage.docs.compact(merged, [u.id for u in updates])
    return doc
