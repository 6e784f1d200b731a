"""Request parameter models for :mod:`pylib.api`, and the page ⇄ worker message envelope.

Unknown fields are refused so that a typo in the page fails loudly instead of being ignored.
Binary fields accept ``bytes``, ``bytearray`` and ``memoryview`` (what Pyodide hands over).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, JsonValue


def _to_bytes(value: Any) -> Any:
    return bytes(value) if isinstance(value, (bytearray, memoryview)) else value


Bytes = Annotated[bytes, BeforeValidator(_to_bytes)]
Content = Annotated[str | bytes, BeforeValidator(_to_bytes)]
Id = Annotated[str, Field(min_length=1, max_length=200)]
# The limit of pylib.rows (a stored media type): at most 255 characters, no control characters.
MimeType = Annotated[str, Field(max_length=255, pattern=r"^[^\x00-\x1f\x7f]*$")]
Limit = Annotated[int, Field(ge=1, le=500)]


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class NoParams(Params):
    pass


class IdParams(Params):
    id: Id


class CreateArtifact(Params):
    path: str
    content: Content | None = None
    mime_type: MimeType | None = None


class UpdateArtifact(Params):
    id: Id
    content: Content
    base_hash: str | None = None


class RenameArtifact(Params):
    id: Id
    name: str
    update_links: bool = False



class MoveArtifact(Params):
    id: Id
    folder: str
    update_links: bool = False


class UploadArtifact(Params):
    path: str
    data: Bytes
    mime_type: MimeType | None = None


class FolderPath(Params):
    path: str


class RenameFolder(Params):
    path: str
    name: str
    update_links: bool = False


class MoveFolder(Params):
    path: str
    parent: str
    update_links: bool = False


class ListVersions(Params):
    artifact_id: Id
    limit: Limit = 50
    before: int | None = None


class VersionId(Params):
    version_id: Id


class VersionDiff(Params):
    version_id: Id
    against: Literal["previous", "current"] = "previous"


class ListActivity(Params):
    limit: Limit = 50
    before: str | None = None
    artifact_id: Id | None = None


class RenderMarkdown(Params):
    text: str


class EnqueueTask(Params):
    task_type: str
    input: JsonValue = None


class ClaimTask(Params):
    task_type: str | None = None


class CompleteTask(Params):
    id: Id
    output: JsonValue = None


class FailTask(Params):
    id: Id
    error: str


class ListTasks(Params):
    status: Literal["PENDING", "RUNNING", "COMPLETED", "FAILED"] | None = None
    limit: Annotated[int, Field(ge=1, le=1000)] = 100


class RecordCitation(Params):
    source_artifact_id: Id
    citing_run_id: str
    weight: Annotated[float, Field(ge=0.0, le=1.0)]
    reason: str | None = None


class CitationsBySource(Params):
    source_artifact_id: Id


class CitationsByRun(Params):
    citing_run_id: str


class TransferValidate(Params):
    data: Bytes


class TransferImport(Params):
    data: Bytes
    mode: Literal["replace", "merge"]


class Backlinks(Params):
    id: Id
    mentions: bool = True
    limit: Limit = 100


class IncomingLinks(Params):
    """One note (``id``) or every note in a folder and below (``folder``)."""

    id: Id | None = None
    folder: Annotated[str, Field(min_length=1, max_length=4096)] | None = None


class CompleteLink(Params):
    query: Annotated[str, Field(max_length=300)] = ""
    limit: Annotated[int, Field(ge=1, le=100)] = 20


class TagNotes(Params):
    tag: Annotated[str, Field(min_length=1, max_length=300)]
    nested: bool = True
    limit: Limit = 500


class SearchQuery(Params):
    # Longer text is cut to the first 1,000 characters by the parser; this bound only
    # refuses what no search box sends.
    query: Annotated[str, Field(max_length=10_000)]
    folder: str | None = None
    kinds: list[Literal["markdown", "text", "code", "image", "other"]] | None = None
    sort: Literal["relevance", "date"] = "relevance"
    limit: Annotated[int, Field(ge=1, le=100)] = 20
    offset: Annotated[int, Field(ge=0, le=10_000)] = 0


UnitVector = Annotated[list[float], Field(min_length=384, max_length=384)]


class ChunkHit(Params):
    """A chunk the embedding worker found near a query (its cosine)."""

    artifact_id: Id
    chunk: Annotated[int, Field(ge=0)]
    score: float


class EmbeddingsPending(Params):
    limit: Annotated[int, Field(ge=1, le=500)] = 64


class StoredVector(Params):
    id: Annotated[str, Field(min_length=64, max_length=64)]
    vector: Bytes
    scale: float


class EmbeddingsStore(Params):
    model: str
    vectors: Annotated[list[StoredVector], Field(max_length=1000)]


class EmbeddingsVectors(Params):
    after: Annotated[str, Field(max_length=300)] | None = None
    limit: Annotated[int, Field(ge=1, le=10_000)] = 2000
    id: Id | None = None


class SemanticQuery(Params):
    """Documents near in meaning: pass the worker's nearest ``chunks`` or a query ``vector``."""

    vector: UnitVector | None = None
    chunks: Annotated[list[ChunkHit], Field(max_length=2000)] | None = None
    folder: str | None = None
    kinds: list[Literal["markdown", "text", "code", "image", "other"]] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 20


class FusedQuery(SemanticQuery):
    query: Annotated[str, Field(max_length=10_000)]
    k: Annotated[int, Field(ge=1, le=1000)] = 60


class RelatedQuery(Params):
    id: Id
    chunks: Annotated[list[ChunkHit], Field(max_length=2000)] | None = None
    limit: Annotated[int, Field(ge=1, le=50)] = 5


class Acknowledged(Params):
    artifact_id: Id
    chunk: Annotated[int, Field(ge=0)]
    chunk_id: Annotated[str, Field(min_length=64, max_length=64)]


class RemoteAcknowledge(Params):
    upserted: Annotated[list[Acknowledged], Field(max_length=1000)] = []
    deleted: Annotated[list[Id], Field(max_length=1000)] = []
    stale: Annotated[list[Annotated[str, Field(max_length=300)]], Field(max_length=1000)] = []


class Request(BaseModel):
    """A message from the page: ``{id, method, params}``."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    id: int | str | None = None
    method: str
    params: dict[str, Any] = Field(default_factory=dict)
