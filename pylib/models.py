"""Rows that leave the engine, as pydantic models.

These are the shapes :mod:`pylib.api` returns (as plain dicts via ``model_dump``). Hot
listings build the same shapes directly for speed (``versions.list`` as dicts from rows,
``tree.list`` as JSON text in SQLite); tests check that they validate against these models.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

Kind = Literal["markdown", "text", "code", "image", "other"]
TaskStatus = Literal["PENDING", "RUNNING", "COMPLETED", "FAILED"]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class ArtifactSummary(_Row):
    """An artifact without its content, as listed in the tree."""

    id: str
    path: str
    name: str
    folder: str
    mime_type: str | None
    kind: Kind
    size_bytes: int
    hash: str | None
    created_at: int
    updated_at: int
    # Kept on this device until it can be uploaded: inside the SQLite file (`pending_uploads`,
    # older engines and the synchronous calls) or in the device store under a local name
    # (`local_files`: the workspace key was locked).
    pending_upload: bool = False


class Artifact(ArtifactSummary):
    """One artifact with its metadata and, when the content is text, the text itself."""

    metadata: dict[str, Any] = Field(default_factory=dict)
    version_count: int = 0
    text: str | None = None
    html: str | None = None


class VersionSummary(_Row):
    id: str
    artifact_id: str
    seq: int
    size_bytes: int
    hash: str | None
    created_at: int
    reason: str
    restored_from: str | None = None
    has_content: bool = True
    current: bool = False  # it holds the document's current content
    number: int = 0  # its place in history, by when each was saved: 1 for the oldest


class Version(VersionSummary):
    text: str | None = None
    html: str | None = None


class DiffLine(_Row):
    op: Literal["same", "added", "removed"]
    text: str


class DiffHunk(_Row):
    """A run of changed lines with a few unchanged ones around them; 1-based starts."""

    old_start: int
    new_start: int
    lines: list[DiffLine]


class VersionDiff(_Row):
    """A version against the one before it or the current text (``pylib.history``)."""

    base_id: str | None
    hunks: list[DiffHunk]
    added: int
    removed: int
    cut: int
    binary: bool


class Tree(_Row):
    folders: list[str]
    artifacts: list[ArtifactSummary]


class TrashItem(_Row):
    """One restorable unit: an artifact, or a folder with everything that was in it."""

    id: str
    kind: Literal["artifact", "folder"]
    path: str
    name: str
    deleted_at: int
    item_count: int
    size_bytes: int


class TrashedDocument(_Row):
    """A document inside a trash unit (``pylib.trash_contents``)."""

    id: str
    path: str
    name: str
    size_bytes: int


class Action(_Row):
    """One logged action; ``sentence`` says it for people, ``artifact_id``/``path`` name
    what it was about (``pylib.activity_text``)."""

    id: str
    timestamp: int
    action_type: str
    payload: JsonValue
    sentence: str = ""
    artifact_id: str | None = None
    path: str | None = None


class ActivityPage(_Row):
    items: list[Action]
    next: str | None


class AgentTask(_Row):
    id: str
    status: TaskStatus
    task_type: str
    input: JsonValue
    output: JsonValue = None
    created_at: int
    started_at: int | None = None
    completed_at: int | None = None
    error: str | None = None


class Citation(_Row):
    id: str
    source_artifact_id: str
    citing_run_id: str
    weight: float
    reason: str | None
    created_at: int


class Usage(_Row):
    count: int
    bytes: int


class KindUsage(Usage):
    kind: Kind


class StorageStats(_Row):
    size_bytes: int
    page_size: int
    page_count: int
    free_bytes: int
    artifacts: Usage
    by_type: list[KindUsage]
    versions: Usage
    trashed: Usage
    trash_units: int
    pending_uploads: Usage
    actions: int


class WorkspaceInfo(_Row):
    schema_version: int
    latest_version: int
    size_bytes: int
    artifact_count: int
    folder_count: int
    commits: int


class _Reply(_Row):
    """A small result of one call; the method table shows its fields inline."""


class Trashed(_Reply):
    trashed: int


class FolderRef(_Reply):
    path: str


class Download(_Reply):
    name: str
    mime_type: str | None
    data: bytes


class Restored(_Reply):
    restored: int
    path: str


class Deleted(_Reply):
    deleted: int


class Html(_Reply):
    html: str


class Export(_Reply):
    name: str
    data: bytes


class Validation(_Reply):
    ok: Literal[True]
    summary: dict[str, Any]
    description: str


class NoteRef(_Row):
    """A note named in a link listing."""

    id: str
    path: str
    name: str


class LinkContext(_Row):
    """Where a note names another: the sentence (``text``), its 1-based ``line`` and 0-based
    ``column``, and the link's (or mention's) span in ``text``."""

    text: str
    line: int
    column: int
    start: int
    end: int
    kind: str | None = None
    heading: str | None = None


class LinkingNote(_Row):
    source: NoteRef
    contexts: list[LinkContext]


class Backlinks(_Row):
    linked: list[LinkingNote]
    mentions: list[LinkingNote]


class IncomingLinks(_Row):
    """Notes linking into what a rename or move would relocate, and their distinct links."""

    notes: int
    links: int


class OutgoingLink(_Row):
    kind: Literal["wiki", "embed", "markdown"]
    target: str
    heading: str
    resolved: bool
    note: NoteRef | None


class Completion(NoteRef):
    link: str


class TagNode(_Row):
    tag: str
    name: str
    count: int
    direct: int
    children: list["TagNode"]


class TaggedNote(NoteRef):
    tag: str


class SearchHit(_Row):
    """One document found by search (see docs/engine-api.md for what each field means)."""

    id: str
    name: str
    path: str
    folder: str
    kind: Kind
    mime_type: str | None
    updated_at: int
    size_bytes: int
    score: float | None
    rank: int
    name_html: str
    snippet_html: str
    source: Literal["keyword"]
    chunk: int | None = None
    section: str | None = None


class SearchResults(_Reply):
    query: str
    terms: list[str]
    hits: list[SearchHit]
    next_offset: int | None


class SemanticHit(SearchHit):
    """A fused or semantic hit: ``source`` says which lists found it; ``chunk`` and
    ``section`` name the best-matching chunk when meaning found it."""

    source: Literal["keyword", "semantic", "both"]  # type: ignore[assignment]


class SemanticResults(_Reply):
    hits: list[SemanticHit]


class FusedResults(_Reply):
    query: str
    terms: list[str]
    semantic: bool
    hits: list[SemanticHit]


class RelatedResults(_Reply):
    id: str
    hits: list[SemanticHit]


class EmbeddingProgress(_Reply):
    documents: int
    indexed: int
    chunks: int
    embedded: int
    done: bool


class PendingChunk(_Row):
    id: str
    artifact_id: str
    chunk: int
    text: str


class PendingChunks(_Reply):
    model: str
    chunks: list[PendingChunk]
    progress: EmbeddingProgress


class VectorRef(_Row):
    artifact_id: str
    chunk: int
    scale: float


class VectorsPage(_Reply):
    items: list[VectorRef]
    data: bytes
    next: str | None


class RemoteUpsert(_Row):
    id: str
    artifact_id: str
    chunk: int
    chunk_id: str
    vector: list[float]


class RemoteOutbox(_Reply):
    upserts: list[RemoteUpsert]
    deletes: list[str]
    stale: list[str]
    remaining: int


class RemoteForget(_Reply):
    deletes: list[str]


class RemoteAcknowledged(_Reply):
    acknowledged: int
