"""The domain services of a process, built once over its storage, publisher and clock."""

from __future__ import annotations

from dataclasses import dataclass

from domain.clock import Clock
from domain.ports import EventPublisher, SharedDocs, Storage, TokenCipher, UserSignals, WorkerWakeups
from domain.rules.models import ModelCatalog
from domain.rules.plans import PlanCatalog
from domain.services.agent_runs import AgentRunService
from domain.services.drafts import DraftService
from domain.services.imports import ImportService
from domain.services.invitations import InvitationService
from domain.services.members import MemberService
from domain.services.messages import MessageService
from domain.services.oauth import OAuthService
from domain.services.profiles import ProfileService
from domain.services.projects import ProjectService
from domain.services.runs import RunService
from domain.services.snapshots import SnapshotService
from domain.services.subscriptions import SubscriptionService
from domain.services.usage import UsageService


@dataclass(frozen=True)
class Services:
    projects: ProjectService
    messages: MessageService
    drafts: DraftService
    usage: UsageService
    subscriptions: SubscriptionService
    imports: ImportService
    oauth: OAuthService
    runs: RunService
    agent_runs: AgentRunService
    snapshots: SnapshotService
    members: MemberService
    invitations: InvitationService
    profiles: ProfileService


def build_services(
    storage: Storage,
    events: EventPublisher,
    clock: Clock,
    *,
    catalog: PlanCatalog,
    models: ModelCatalog,
    cipher: TokenCipher,
    wakeups: WorkerWakeups,
    signals: UserSignals,
    docs: SharedDocs,
    admins: frozenset[str],
) -> Services:
    usage = UsageService(storage, events, clock, catalog, admins=admins, models=models, signals=signals)
    messages = MessageService(storage, events, clock, usage, docs=docs, wakeups=wakeups, signals=signals)
    return Services(
        projects=ProjectService(storage, events, clock, usage, wakeups=wakeups, signals=signals),
        messages=messages,
        drafts=DraftService(storage, events, clock, docs, signals=signals),
        usage=usage,
        subscriptions=SubscriptionService(storage, events, clock, signals=signals),
        imports=ImportService(storage, events, clock, wakeups=wakeups, signals=signals),
        oauth=OAuthService(storage, events, clock, cipher),
        runs=RunService(storage, events, clock, usage, wakeups=wakeups, signals=signals),
        agent_runs=AgentRunService(
            storage, events, clock, usage, docs=docs, wakeups=wakeups, signals=signals
        ),
        snapshots=SnapshotService(storage, events, clock, messages),
        members=MemberService(storage, events, clock, signals=signals),
        invitations=InvitationService(storage, events, clock, signals=signals),
        profiles=ProfileService(storage, events, clock),
    )
