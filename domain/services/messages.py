"""Messages, their attachments and fragments (seed: messages.*), and a project's fragment history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

import msgspec

from domain.clock import Clock
from domain.entities import Attachment, Files, Fragment, Message, Project
from domain.enums import MessageRole, MessageStatus, MessageType
from domain.errors import Conflict, NotFound
from domain.events import FragmentUpdated, MessageCreated, MessageUpdated
from domain.idempotency import MessagePosted, RequestKey
from domain.ids import FragmentId, MessageId, ProjectId, UserId, new_id
from domain.inputs import MAX_ATTACHMENTS, FragmentContent, MessageChanges, NewAttachment, NewMessage
from domain.ports import EventPublisher, SharedDocs, Storage, UserSignals, WorkerWakeups
from domain.rules.files import check_files
from domain.rules.permissions import Action
from domain.rules.prompts import MESSAGE_VALUE_MAX, check_length, check_message_value
from domain.services.base import Page, Service, page_of, set_fields
from domain.services.drafts import follow_files
from domain.services.idempotency import Idempotency
from domain.services.turns import check_attachment_imports, enqueue_turn, new_attachment
from domain.services.usage import UsageService
from domain.views import FragmentView, MessageView


class MessageService(Service):
    def __init__(
        self,
        storage: Storage,
        events: EventPublisher,
        clock: Clock,
        usage: UsageService,
        *,
        docs: SharedDocs,
        wakeups: WorkerWakeups | None = None,
        signals: UserSignals | None = None,
    ) -> None:
        super().__init__(storage, events, clock, wakeups=wakeups, signals=signals)
        self.usage = usage
        self.docs = docs
        self.idempotency = Idempotency(storage, clock)

    async def list_messages(
        self, user_id: UserId, project_id: ProjectId, limit: int, after: MessageId | None = None
    ) -> Page[MessageView]:
        """Oldest first, each with its fragment and attachments."""
        await self.access(user_id, project_id, Action.READ)
        page = page_of(await self.storage.messages.list_for_project(project_id, limit + 1, after), limit, _id)
        return Page(items=await self.views(page.items), next_key=page.next_key)

    async def views(self, messages: Sequence[Message]) -> list[MessageView]:
        """The messages as the wire shows them, each with its fragment and attachments."""
        ids = [m.id for m in messages]
        fragments = {f.message_id: f for f in await self.storage.fragments.list_for_messages(ids)}
        attachments: dict[MessageId, list[Attachment]] = defaultdict(list)
        for attachment in await self.storage.attachments.list_for_messages(ids):
            attachments[attachment.message_id].append(attachment)
        return [MessageView.from_entity(m, fragments.get(m.id), attachments[m.id]) for m in messages]

    async def post_message(
        self,
        user_id: UserId,
        project_id: ProjectId,
        value: str,
        attachments: Sequence[NewAttachment] = (),
        key: RequestKey | None = None,
    ) -> MessageView:
        """A USER message that the agent answers, for one credit of the project's owner, whoever of
        its members sends it (seed: messages.createWithAttachments); with `key`, once per key (a
        repeat gets the first answer)."""
        async with self.idempotency.once(user_id, key, MessagePosted) as attempt:
            if attempt.replay is not None:
                return attempt.replay.message
            check_message_value(value)
            await check_attachment_imports(self.storage, user_id, attachments)
            now = self.clock.now()
            async with self.committed() as outbox:
                project = (await self.access(user_id, project_id, Action.BUILD)).project
                # The owner pays, under the owner's plan (API.md, "Sharing"): the run records them
                # as its user, so its spend and any refund are theirs. Its model must still be one
                # that plan allows (a downgrade).
                await self.usage.check_model(project.user_id, project.model_preference, "modelPreference")
                view = await enqueue_turn(
                    self.storage, outbox, self.usage, project, user_id, value, attachments, now
                )
                await self.touch_project(outbox, project_id, now)
                await attempt.seal(MessagePosted(message=view))
            return view

    async def create_message(
        self, user_id: UserId, project_id: ProjectId, new: NewMessage, key: RequestKey | None = None
    ) -> MessageView:
        """A message stored as given: no credit, no run (seed: messages.create / createForUser);
        with `key`, once per key."""
        async with self.idempotency.once(user_id, key, MessagePosted) as attempt:
            if attempt.replay is not None:
                return attempt.replay.message
            check_length("content", new.content, 0, MESSAGE_VALUE_MAX * 10)
            now = self.clock.now()
            message = Message(
                id=MessageId(new_id()),
                project_id=project_id,
                content=new.content,
                role=new.role,
                type=new.type,
                status=new.status,
                user_id=user_id if new.role == MessageRole.USER else None,
                created_at=now,
                updated_at=now,
            )
            view = MessageView.from_entity(message)
            async with self.committed() as outbox:
                await self.access(user_id, project_id, Action.BUILD)
                await self.storage.messages.insert(message)
                await self.touch_project(outbox, project_id, now)
                outbox.add(project_id, MessageCreated(message=view))
                await attempt.seal(MessagePosted(message=view))
            return view

    async def update_message(
        self, user_id: UserId, message_id: MessageId, changes: MessageChanges
    ) -> MessageView:
        """Seed: messages.updateMessage and messages.updateStatus."""
        if not isinstance(changes.content, msgspec.UnsetType):
            check_length("content", changes.content, 0, MESSAGE_VALUE_MAX * 10)
        async with self.committed() as outbox:
            message, _ = await self.message_to_build(user_id, message_id)
            fields = set_fields(changes)
            updated = msgspec.structs.replace(message, **fields, updated_at=self.clock.now())
            await self.storage.messages.update(updated)
            view = (await self.views([updated]))[0]
            outbox.add(message.project_id, MessageUpdated(message=view))
        return view

    async def add_attachment(self, user_id: UserId, message_id: MessageId, new: NewAttachment) -> Attachment:
        """Seed: messages.addAttachment."""
        await check_attachment_imports(self.storage, user_id, [new])
        async with self.committed() as outbox:
            message, _ = await self.message_to_build(user_id, message_id)
            if len(await self.storage.attachments.list_for_messages([message.id])) >= MAX_ATTACHMENTS:
                raise Conflict(f"A message has at most {MAX_ATTACHMENTS} attachments.")
            attachment = new_attachment(message.id, new, self.clock.now())
            await self.storage.attachments.insert_many([attachment])
            view = (await self.views([message]))[0]
            outbox.add(message.project_id, MessageUpdated(message=view))
        return attachment

    async def save_fragment(
        self, user_id: UserId, message_id: MessageId, content: FragmentContent
    ) -> Fragment:
        """Creates the message's fragment or replaces it (seed: messages.createFragment[ForUser])."""
        check_files(content.files)
        now = self.clock.now()
        async with self.committed() as outbox:
            message, _ = await self.message_to_build(user_id, message_id)
            existing = await self.storage.fragments.get_for_message(message_id)
            fragment = Fragment(
                id=existing.id if existing else FragmentId(new_id()),
                message_id=message.id,
                project_id=message.project_id,
                sandbox_url=content.sandbox_url,
                title=content.title,
                files=content.files,
                framework=content.framework,
                metadata=content.metadata,
                created_at=existing.created_at if existing else now,
                updated_at=now,
            )
            await self.storage.fragments.save(fragment)
            await self.touch_project(outbox, message.project_id, now)
            outbox.add(message.project_id, FragmentUpdated(fragment=FragmentView.from_entity(fragment)))
        return fragment

    async def list_fragments(
        self, user_id: UserId, project_id: ProjectId, limit: int, before: FragmentId | None = None
    ) -> Page[Fragment]:
        """The project's fragment history, newest first."""
        await self.access(user_id, project_id, Action.READ)
        return page_of(
            await self.storage.fragments.list_for_project(project_id, limit + 1, before), limit, _id
        )

    async def restore_fragment(
        self, user_id: UserId, project_id: ProjectId, fragment_id: FragmentId
    ) -> Message:
        """An earlier fragment becomes the latest again, as a new fragment on a new ASSISTANT
        message: the history only grows, nothing is overwritten. The shared code takes its files
        as text edits, so open editors follow."""
        now = self.clock.now()
        async with self.committed() as outbox:
            project = (await self.access(user_id, project_id, Action.BUILD)).project
            earlier = await self.storage.fragments.get(fragment_id)
            if earlier is None or earlier.project_id != project.id:
                raise NotFound("Fragment not found.")
            # Stored before every path was checked, it may hold one no sandbox can; not copied on.
            check_files(earlier.files)
            message = Message(
                id=MessageId(new_id()),
                project_id=project.id,
                # No time in the text: a page shows the restored version's `createdAt` in the
                # reader's own time zone (metadata.restoredFrom names the version).
                content=f"Restored “{earlier.title}”.",
                role=MessageRole.ASSISTANT,
                type=MessageType.RESULT,
                status=MessageStatus.COMPLETE,
                created_at=now,
                updated_at=now,
            )
            restored = msgspec.structs.replace(
                earlier,
                id=FragmentId(new_id()),
                message_id=message.id,
                metadata={**(earlier.metadata or {}), "restoredFrom": str(earlier.id)},
                created_at=now,
                updated_at=now,
            )
            await self.storage.messages.insert(message)
            await self.storage.fragments.save(restored)
            written = await self.docs.write(project.id, earlier.files, remove_others=True)
            await follow_files(self.storage, self.clock, outbox, project, written.files)
            await self.touch_project(outbox, project.id, now)
            outbox.add(project.id, MessageCreated(message=MessageView.from_entity(message, restored)))
            outbox.add(project.id, FragmentUpdated(fragment=FragmentView.from_entity(restored)))
        if written.update is not None:
            await self.docs.announce(project.id, written.update)
        return message

    async def version_files(self, fragment_id: FragmentId) -> Files | None:
        """A fragment's files, for previewing that version before restoring it; None when there
        is no such fragment (or its project was deleted). Like a project's preview, it needs no
        token: a frame cannot send one, and fragment ids are not guessable."""
        fragment = await self.storage.fragments.get(fragment_id)
        return None if fragment is None else fragment.files

    async def fragment_for_download(
        self, user_id: UserId, project_id: ProjectId, fragment_id: FragmentId | None = None
    ) -> tuple[Project, Fragment]:
        """The given fragment of the project, or its latest one."""
        project = (await self.access(user_id, project_id, Action.READ)).project
        if fragment_id is None:
            fragment = await self.storage.fragments.latest_for_project(project_id)
        else:
            fragment = await self.storage.fragments.get(fragment_id)
        if fragment is None or fragment.project_id != project_id:
            raise NotFound("Fragment not found.")
        return project, fragment

    async def message_to_build(self, user_id: UserId, message_id: MessageId) -> tuple[Message, Project]:
        """The message, if the user may build on its project; a message of a project not shared
        with the user is as missing as none."""
        message = await self.storage.messages.get(message_id)
        if message is None:
            raise NotFound("Message not found.")
        try:
            access = await self.access(user_id, message.project_id, Action.BUILD)
        except NotFound:
            raise NotFound("Message not found.") from None
        return message, access.project


def _id(entity: Message | Fragment) -> UUID:
    return entity.id
