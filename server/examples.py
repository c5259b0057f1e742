"""Examples for every body in the OpenAPI document, built from the real Structs so they cannot
drift from the schema; the JSON render plugin below puts them on the component schemas."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Request
from litestar.openapi.plugins import JsonRenderPlugin

from domain.enums import (
    BillingInterval,
    Framework,
    ImportSource,
    ImportStatus,
    MessageRole,
    MessageStatus,
    MessageType,
    OAuthProvider,
    Plan,
    ProjectRole,
    RunSource,
    RunStatus,
    SubscriptionStatus,
)
from domain.inputs import (
    FragmentContent,
    ImportChanges,
    MessageChanges,
    NewAttachment,
    NewConnection,
    NewImport,
    ProjectChanges,
    RunRequest,
    RunResult,
)
from domain.views import (
    AttachmentView,
    DraftView,
    FragmentSummary,
    FragmentView,
    ImportView,
    MessageView,
    ProjectView,
    RunUsageView,
    RunView,
    TokenUsageView,
    UsageView,
)
from server.controllers.health import Health
from server.controllers.webhooks import WebhookReceipt
from server.errors import PROBLEM_TYPE_BASE, FieldProblem, Problem
from server.schemas import (
    ClaimedRunOut,
    CompletedRunOut,
    ConnectionList,
    ConnectionView,
    CreateMessage,
    CreateProject,
    DraftFiles,
    FailRun,
    FragmentPage,
    ImportPage,
    ListedProject,
    MessagePage,
    MetadataBody,
    ProjectDetail,
    RunPage,
    SubscriptionView,
    Success,
)
from server.sharing_examples import SHARING_EXAMPLES

PROJECT = UUID("01a2030e-25ad-7031-a180-3f576d507b02")
MESSAGE = UUID("01a2030e-25c2-7121-a7dd-003061bac2fb")
REPLY = UUID("01a2030e-3c00-7a11-8d1e-2f0c9a4b5d61")
FRAGMENT = UUID("01a2030e-3c10-7b22-9e2f-3a1dab5c6e72")
RUN = UUID("01a2030e-25c4-72aa-b0d1-5e6f7a8b9c0d")
IMPORT = UUID("01a2030e-4a00-7c33-af30-4b2ebc6d7f83")
AT = "2024-04-05T12:00:00.000Z"
LATER = "2024-04-05T12:01:30.000Z"
FILES = {"app/page.tsx": "export default function Page() {\n  return <TodoList />\n}\n"}

PROJECT_VIEW = ProjectView(
    id=PROJECT,
    name="Project-1712345678000",
    user_id="user_abc123",
    framework=Framework.NEXTJS,
    model_preference=None,
    sandbox_id=None,
    image_url=None,
    created_at=AT,
    updated_at=AT,
)
FRAGMENT_VIEW = FragmentView(
    id=FRAGMENT,
    message_id=REPLY,
    project_id=PROJECT,
    sandbox_url="https://3000-sbx.e2b.app",
    title="To-do list",
    files=FILES,
    framework=Framework.NEXTJS,
    metadata={"model": "claude-sonnet-4-5", "iterations": 4},
    created_at=LATER,
    updated_at=LATER,
)
ATTACHMENT = NewAttachment(url="https://img.example/design.png", size=48213, width=1280, height=800)
ATTACHMENT_VIEW = AttachmentView(
    id=UUID("01a2030e-25c3-7f00-8a00-000000000001"),
    message_id=MESSAGE,
    type=ATTACHMENT.type,
    url=ATTACHMENT.url,
    size=ATTACHMENT.size,
    width=ATTACHMENT.width,
    height=ATTACHMENT.height,
    import_id=None,
    source_metadata=None,
    created_at=AT,
)
MESSAGE_VIEW = MessageView(
    id=MESSAGE,
    project_id=PROJECT,
    content="Build a to-do list app with a clean, minimal design",
    role=MessageRole.USER,
    type=MessageType.RESULT,
    status=MessageStatus.COMPLETE,
    created_at=AT,
    updated_at=AT,
    attachments=[ATTACHMENT_VIEW],
    user_id="user_abc123",
)
REPLY_VIEW = MessageView(
    id=REPLY,
    project_id=PROJECT,
    content="I built a to-do list with add, complete and delete.",
    role=MessageRole.ASSISTANT,
    type=MessageType.RESULT,
    status=MessageStatus.COMPLETE,
    created_at=LATER,
    updated_at=LATER,
    fragment=FRAGMENT_VIEW,
)
FIRST_ROUND_VIEW = TokenUsageView(
    input_tokens=1200, output_tokens=1650, cache_read_input_tokens=0, cache_creation_input_tokens=9120
)
SECOND_ROUND_VIEW = TokenUsageView(
    input_tokens=630, output_tokens=760, cache_read_input_tokens=9120, cache_creation_input_tokens=1830
)
RUN_USAGE_VIEW = RunUsageView(
    input_tokens=1830,
    output_tokens=2410,
    cache_read_input_tokens=9120,
    cache_creation_input_tokens=10950,
    rounds=[FIRST_ROUND_VIEW, SECOND_ROUND_VIEW],
)
RUN_VIEW = RunView(
    id=RUN,
    project_id=PROJECT,
    source=RunSource.WEBCONTAINER,
    status=RunStatus.RUNNING,
    value="Add a dark mode toggle",
    message_id=None,
    reply_message_id=None,
    model=None,
    framework=Framework.NEXTJS,
    stage="Generating project files…",
    claimed_by="user_abc123",
    attempts=1,
    error=None,
    usage=None,  # a browser run: only the server's own runs call the model and count tokens
    created_at=AT,
    updated_at=LATER,
    started_at=LATER,
    finished_at=None,
)
IMPORT_VIEW = ImportView(
    id=IMPORT,
    project_id=PROJECT,
    message_id=None,
    source=ImportSource.GITHUB,
    source_id="123456",
    source_name="octo/todo",
    source_url="https://github.com/octo/todo",
    status=ImportStatus.PROCESSING,
    error=None,
    metadata={"branch": "main"},
    created_at=AT,
    updated_at=LATER,
)
CONNECTION_VIEW = ConnectionView(
    provider=OAuthProvider.GITHUB,
    scope="repo read:user",
    expires_at=None,
    has_refresh_token=True,
    metadata={"login": "octo"},
    created_at=AT,
    updated_at=AT,
)

EXAMPLES: list[msgspec.Struct] = [
    CreateProject(message="Build a to-do list app with a clean, minimal design"),
    PROJECT_VIEW,
    ListedProject(**msgspec.structs.asdict(PROJECT_VIEW), role=ProjectRole.OWNER),
    ProjectDetail(**msgspec.structs.asdict(PROJECT_VIEW), role=ProjectRole.OWNER, latest_fragment=None),
    ProjectChanges(name="Todo app", model_preference="claude-sonnet-4-5"),
    FragmentSummary(
        id=FRAGMENT,
        message_id=REPLY,
        project_id=PROJECT,
        title="To-do list",
        sandbox_url="https://3000-sbx.e2b.app",
        framework=Framework.NEXTJS,
        file_count=1,
        created_at=LATER,
        updated_at=LATER,
    ),
    CreateMessage(value="Add a dark mode toggle", attachments=[ATTACHMENT]),
    MESSAGE_VIEW,
    MessagePage(items=[MESSAGE_VIEW, REPLY_VIEW], next_cursor=None),
    MessageChanges(content="Done.", status=MessageStatus.COMPLETE),
    FragmentContent(
        sandbox_url="https://3000-sbx.e2b.app", title="To-do list", files=FILES, framework=Framework.NEXTJS
    ),
    FRAGMENT_VIEW,
    FragmentPage(items=[FRAGMENT_VIEW], next_cursor=None),
    ATTACHMENT,
    ATTACHMENT_VIEW,
    DraftFiles(files=FILES, version=3),
    DraftView(
        id=UUID("01a2030e-5000-7d44-b041-5c3fcd7e8094"),
        project_id=PROJECT,
        files=FILES,
        framework=Framework.NEXTJS,
        version=4,
        created_at=AT,
        updated_at=LATER,
    ),
    UsageView(plan=Plan.FREE, credits_remaining=4, credits_per_day=5, resets_at="2024-04-06T12:00:00.000Z"),
    SubscriptionView(
        id=UUID("01a2030e-6000-7e55-8152-6d40de8f90a5"),
        polar_subscription_id="sub_01J9",
        customer_id="cus_01J9",
        product_id="prod_pro",
        price_id="price_01J9",
        status=SubscriptionStatus.ACTIVE,
        interval=BillingInterval.MONTHLY,
        current_period_start=AT,
        current_period_end="2024-05-05T12:00:00.000Z",
        cancel_at_period_end=False,
        canceled_at=None,
        trial_start=None,
        trial_end=None,
        created_at=AT,
        updated_at=AT,
    ),
    NewImport(
        source=ImportSource.GITHUB,
        source_id="123456",
        source_name="octo/todo",
        source_url="https://github.com/octo/todo",
        metadata={"branch": "main"},
    ),
    IMPORT_VIEW,
    ImportPage(items=[IMPORT_VIEW], next_cursor=None),
    ImportChanges(status=ImportStatus.COMPLETE, metadata={"files": 42}),
    NewConnection(access_token="gho_…", refresh_token="ghr_…", expires_at=1_893_456_000_000, scope="repo"),
    CONNECTION_VIEW,
    ConnectionList(items=[CONNECTION_VIEW]),
    MetadataBody(metadata={"login": "octo"}),
    RunRequest(value="Add a dark mode toggle"),
    FIRST_ROUND_VIEW,
    RUN_USAGE_VIEW,
    RUN_VIEW,
    RunPage(items=[RUN_VIEW], next_cursor=None),
    ClaimedRunOut(run=RUN_VIEW, files=FILES),
    RunResult(summary="Added a dark mode toggle.", files=FILES, framework=Framework.NEXTJS),
    CompletedRunOut(run=RUN_VIEW, message=REPLY_VIEW, fragment=FRAGMENT_VIEW),
    FailRun(error="npm install failed: ERESOLVE"),
    Success(),
    WebhookReceipt(duplicate=False),
    Health(status="ready", database="ok", broker="ok"),
    Problem(
        type=PROBLEM_TYPE_BASE + "invalid-input",
        title="Invalid input",
        status=400,
        detail="message: must be at least 3 characters",
        errors=[FieldProblem("message", "must be at least 3 characters")],
    ),
    FieldProblem("message", "must be at least 3 characters"),
    *SHARING_EXAMPLES,
]


EXAMPLES_BY_SCHEMA: dict[str, Any] = {type(e).__name__: msgspec.to_builtins(e) for e in EXAMPLES}


class JsonWithExamples(JsonRenderPlugin):
    """`/schema/openapi.json` with an example on every body schema (OpenAPI 3.1 `examples`).

    Added at render time, so building an app does not build its OpenAPI document.
    """

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        schemas = openapi_schema.get("components", {}).get("schemas", {})
        for name, example in EXAMPLES_BY_SCHEMA.items():
            if name in schemas:
                schemas[name]["examples"] = [example]
        return super().render(request, openapi_schema)
