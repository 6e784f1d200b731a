"""The vector API's bodies: the allow-list of what a client may send.

The request models are the allow-list: exactly 384 finite floats, a fixed set of payload fields
with size limits, and a small filter grammar (must/should/must_not over match/range conditions
on artifact_id, path and chunk; bounded depth and size). Anything else is a 4xx before the
store is touched. The store (proxy.vectors.base) adds the user scope. Retrieve-by-id, recommend,
lookups, shard keys and collection management are deliberately absent.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from proxy.vectors.base import DIMENSION, Clause, Match, Range

MAX_FILTER_DEPTH = 3
MAX_FILTER_CONDITIONS = 32
HARD_MAX_BATCH = 1024  # the settings may lower these, never raise them past this
HARD_MAX_LIMIT = 1000


# Lone surrogates (from JSON "\\ud800" escapes) need no check here: pydantic refuses them in str.
def _identifier(value: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("must not contain control characters")
    return value


def _nonzero(vector: list[float]) -> list[float]:
    # Cosine distance divides by the norm: a zero (or vanishing) vector has no direction.
    # hypot is one C call; a Python loop over 384 floats costs more than the engine's query.
    if math.hypot(*vector) < 1e-6:
        raise ValueError("vector must not be zero")
    return vector


Component = Annotated[float, Field(allow_inf_nan=False, ge=-1e6, le=1e6)]
Vector = Annotated[list[Component], Field(min_length=DIMENSION, max_length=DIMENSION), AfterValidator(_nonzero)]
ClientId = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(_identifier)]
ArtifactId = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(_identifier)]
Scalar = Union[Annotated[str, Field(max_length=1024)],
               Annotated[int, Field(ge=-(2**53), le=2**53)]]
Bound = Annotated[float, Field(allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Payload(_Strict):
    artifact_id: ArtifactId
    path: Annotated[str, Field(max_length=1024)] = ""
    content_preview: Annotated[str, Field(max_length=2000)] = ""
    chunk: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class PointIn(_Strict):
    id: ClientId
    vector: Vector
    payload: Payload


class MatchValueIn(_Strict):
    value: Scalar


class MatchAnyIn(_Strict):
    any: Annotated[list[Scalar], Field(min_length=1, max_length=64)]


class RangeIn(_Strict):
    gt: Bound | None = None
    gte: Bound | None = None
    lt: Bound | None = None
    lte: Bound | None = None

    @model_validator(mode="after")
    def _some_bound(self) -> "RangeIn":
        if all(getattr(self, name) is None for name in ("gt", "gte", "lt", "lte")):
            raise ValueError("range needs at least one of gt, gte, lt, lte")
        return self


class FieldConditionIn(_Strict):
    """A condition on one allow-listed payload key (never user_id)."""

    key: Literal["artifact_id", "path", "chunk"]
    match: MatchValueIn | MatchAnyIn | None = None
    range: RangeIn | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "FieldConditionIn":
        if (self.match is None) == (self.range is None):
            raise ValueError("a condition has exactly one of match or range")
        return self

    def to_condition(self) -> Match | Range:
        if self.range is not None:
            return Range(self.key, gt=self.range.gt, gte=self.range.gte, lt=self.range.lt, lte=self.range.lte)
        if isinstance(self.match, MatchAnyIn):
            return Match(self.key, any=tuple(self.match.any))
        return Match(self.key, value=self.match.value)


ConditionList = Annotated[list[Union[FieldConditionIn, "FilterIn"]], Field(min_length=1, max_length=16)]


class FilterIn(_Strict):
    """A client filter. The server always wraps it: must: [user_id == uid, <this filter>]."""

    must: ConditionList | None = None
    should: ConditionList | None = None
    must_not: ConditionList | None = None

    def _children(self) -> list:
        return [*(self.must or ()), *(self.should or ()), *(self.must_not or ())]

    def _measure(self) -> tuple[int, int]:
        depth, count = 1, 0
        for child in self._children():
            if isinstance(child, FilterIn):
                child_depth, child_count = child._measure()
                depth, count = max(depth, child_depth + 1), count + child_count
            else:
                count += 1
        return depth, count

    @model_validator(mode="after")
    def _bounded(self) -> "FilterIn":
        if not self._children():
            raise ValueError("a filter needs at least one of must, should, must_not")
        depth, count = self._measure()
        if depth > MAX_FILTER_DEPTH:
            raise ValueError(f"filters nest at most {MAX_FILTER_DEPTH} levels")
        if count > MAX_FILTER_CONDITIONS:
            raise ValueError(f"filters hold at most {MAX_FILTER_CONDITIONS} conditions")
        return self

    def to_clause(self) -> Clause:
        def convert(items: list | None) -> tuple:
            return tuple(item.to_clause() if isinstance(item, FilterIn) else item.to_condition() for item in items or ())
        return Clause(must=convert(self.must), should=convert(self.should), must_not=convert(self.must_not))


class UpsertRequest(_Strict):
    points: Annotated[list[PointIn], Field(min_length=1, max_length=HARD_MAX_BATCH)]

    @model_validator(mode="after")
    def _unique_ids(self) -> "UpsertRequest":
        if len({point.id for point in self.points}) != len(self.points):
            raise ValueError("point ids must be unique within a request")
        return self


class QueryRequest(_Strict):
    vector: Vector
    filter: FilterIn | None = None
    limit: Annotated[int, Field(ge=1, le=HARD_MAX_LIMIT)] = 10


class DeleteRequest(_Strict):
    """Delete by ``ids``, by ``artifact_id``, or ``all: true`` (every point of the user)."""

    ids: Annotated[list[ClientId], Field(min_length=1, max_length=HARD_MAX_BATCH)] | None = None
    artifact_id: ArtifactId | None = None
    all: Literal[True] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "DeleteRequest":
        if sum(x is not None for x in (self.ids, self.artifact_id, self.all)) != 1:
            raise ValueError("give exactly one of ids, artifact_id or all")
        return self


class Summary(BaseModel):
    points: int


class Upserted(BaseModel):
    upserted: int


class Result(BaseModel):
    id: str
    score: float
    payload: dict


class Results(BaseModel):
    results: list[Result]


class Deleted(BaseModel):
    deleted: bool
