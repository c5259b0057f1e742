"""Doing an import a worker claimed: GitHub repositories become the project's draft, Figma files a
design summary for the agent. Either way the import ends COMPLETE or FAILED with a readable reason;
nothing here raises into the worker but cancellation."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import msgspec
from cryptography.exceptions import InvalidTag

from domain.entities import Files, FragmentDraft, Import, JsonObject
from domain.enums import ImportSource, OAuthProvider
from domain.errors import DomainError, NotFound, StaleVersion
from domain.services.drafts import DraftService
from domain.services.imports import SUMMARY_KEY, ImportService
from domain.services.oauth import OAuthService
from workers.imports import figma, github
from workers.imports.http import ImportFailed, ProviderApi, provider_client

logger = logging.getLogger("forge.worker")

UNEXPECTED = "Something went wrong on our side while importing; try again."
STOPPED = "The import was stopped because its worker shut down; try again."
TOO_SLOW = "The import took longer than {seconds:g} seconds and was stopped; try a smaller {what}."
DRAFT_ATTEMPTS = 3
"""Draft writes retried when a person saved the draft at the same moment."""
PROVIDER_NAMES = {OAuthProvider.GITHUB: "GitHub", OAuthProvider.FIGMA: "Figma"}


class ImportSettings(msgspec.Struct, frozen=True, kw_only=True):
    github_api_url: str = "https://api.github.com"
    figma_api_url: str = "https://api.figma.com"
    deadline_seconds: float = 120.0
    """An import still going after this long is FAILED."""

    @property
    def stale_after(self) -> timedelta:
        """A PROCESSING import untouched for this long lost its worker (twice the deadline)."""
        return timedelta(seconds=2 * self.deadline_seconds)


class ImportProcessor:
    def __init__(
        self, imports: ImportService, oauth: OAuthService, drafts: DraftService, settings: ImportSettings
    ) -> None:
        self.imports = imports
        self.oauth = oauth
        self.drafts = drafts
        self.settings = settings

    async def claim(self) -> Import | None:
        """The next PENDING import, now PROCESSING; None when none waits."""
        return await self.imports.claim_next(self.settings.stale_after)

    async def process(self, record: Import) -> None:
        """Does a claimed import to its end; never raises but for cancellation."""
        try:
            async with asyncio.timeout(self.settings.deadline_seconds):
                metadata = await self._import(record)
        except asyncio.CancelledError:
            await asyncio.shield(self._fail(record, STOPPED))
            raise
        except TimeoutError:
            what = "repository" if record.source == ImportSource.GITHUB else "file"
            await self._fail(record, TOO_SLOW.format(seconds=self.settings.deadline_seconds, what=what))
        except ImportFailed as failure:
            await self._fail(record, str(failure))
        except DomainError as error:  # the project was deleted meanwhile, or the draft refused the files
            await self._fail(record, error.message)
        except Exception:
            logger.exception("import %s failed", record.id)
            await self._fail(record, UNEXPECTED)
        else:
            await self._complete(record, metadata)

    async def _import(self, record: Import) -> JsonObject:
        if record.source == ImportSource.GITHUB:
            return await self._github(record)
        return await self._figma(record)

    async def _github(self, record: Import) -> JsonObject:
        spec = github.repository_spec(record)
        token = await self._token(record, OAuthProvider.GITHUB)
        headers = {**github.API_HEADERS, "Authorization": f"Bearer {token}"}
        async with provider_client(self.settings.github_api_url, headers) as client:
            api = ProviderApi(client, "GitHub", github.MAX_RESPONSE_BYTES)
            repository = await github.fetch_repository(api, spec)
        draft = await self._replace_draft(record, repository.files)
        return {
            "repository": repository.full_name,
            "ref": repository.ref,
            "treeSha": repository.tree_sha,
            "fileCount": len(repository.files),
            "totalBytes": sum(len(content.encode()) for content in repository.files.values()),
            "skippedFiles": repository.skipped[: github.SKIPPED_LISTED],
            "skippedCount": len(repository.skipped),
            "draftVersion": draft.version,
        }

    async def _figma(self, record: Import) -> JsonObject:
        key = figma.file_key(record)
        token = await self._token(record, OAuthProvider.FIGMA)
        # Tokens stored by the OAuth flow are OAuth tokens: Bearer (personal tokens would use X-Figma-Token).
        async with provider_client(
            self.settings.figma_api_url, {"Authorization": f"Bearer {token}"}
        ) as client:
            design = await figma.fetch_file(ProviderApi(client, "Figma", figma.MAX_RESPONSE_BYTES), key)
        return {
            SUMMARY_KEY: figma.design_summary(design),
            "fileKey": key,
            "fileName": design.name,
            "pageCount": len(design.document.children),
            "lastModified": design.last_modified,
            "version": design.version,
        }

    async def _token(self, record: Import, provider: OAuthProvider) -> str:
        name = PROVIDER_NAMES[provider]
        try:
            return await self.oauth.access_token(record.user_id, provider)
        except NotFound:
            raise ImportFailed(
                f"Connect your {name} account first: no {name} connection is stored."
            ) from None
        except (ValueError, InvalidTag):  # a ciphertext the current key cannot open
            logger.warning("the %s token of import %s could not be read", name, record.id, exc_info=True)
            raise ImportFailed(f"The stored {name} token cannot be read: connect {name} again.") from None

    async def _replace_draft(self, record: Import, files: Files) -> FragmentDraft:
        # The repository replaces the draft's files instead of merging into them: importing a
        # repository brings that code base in, and files of the previous draft left beside it would
        # make a mix that is neither. A draft saved at the same moment is retried over.
        attempts = 0
        while True:
            current = await self.drafts.get_or_create(record.user_id, record.project_id)
            try:
                return await self.drafts.replace_files(
                    record.user_id, record.project_id, files, current.version
                )
            except StaleVersion:
                attempts += 1
                if attempts == DRAFT_ATTEMPTS:
                    raise

    async def _complete(self, record: Import, metadata: JsonObject) -> None:
        try:
            await self.imports.mark_complete(record.user_id, record.id, metadata)
        except DomainError as error:  # deleted, or moved on by someone else meanwhile
            logger.warning("import %s could not be completed: %s", record.id, error.message)

    async def _fail(self, record: Import, reason: str) -> None:
        try:
            await self.imports.mark_failed(record.user_id, record.id, reason)
        except DomainError as error:
            logger.warning("import %s could not be marked failed: %s", record.id, error.message)
        except Exception:  # the database is away: the import goes stale and is failed by a later claim
            logger.exception("import %s could not be marked failed", record.id)
