"""Tools the model may call: plain Python callables with a pydantic model for their arguments.

The chat engine hands the agent a list of :class:`Tool` (figures, ratios, covenants, alerts,
search over the store); the agent stays generic. A tool returns a :class:`ToolOutput` (data
plus citations and the exact values behind it) or any JSON-able value (dict, list, dataclass,
pydantic model, Decimal, date), which is serialised for the model as it is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, ValidationError

from assistant.errors import LoanwatchError
from assistant.numguard import AllowedNumber


@dataclass(frozen=True)
class Citation:
    document: str
    page: int | None = None
    quote: str = ""


@dataclass
class ToolOutput:
    """What a tool gives back: ``data`` for the model, and for the guard and the caller the
    exact values behind it (``allowed``) and where they came from (``citations``)."""

    data: Any
    citations: list[Citation] = field(default_factory=list)
    allowed: list[AllowedNumber] = field(default_factory=list)


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    func: Callable[..., Any]
    args_model: type[BaseModel]

    def spec(self) -> dict:
        """The OpenAI function-calling description of this tool."""
        schema = self.args_model.model_json_schema()
        schema.pop("title", None)
        return {"type": "function", "function": {"name": self.name, "description": self.description, "parameters": schema}}

    def invoke(self, arguments: dict) -> ToolOutput:
        """Validate ``arguments`` and call the function; errors become data the model can read."""
        try:
            args = self.args_model.model_validate(arguments)
        except ValidationError as err:
            return ToolOutput({"error": f"invalid arguments for {self.name}: {_short(err)}"})
        try:
            result = self.func(**{name: getattr(args, name) for name in type(args).model_fields})
        except LoanwatchError as err:  # not found, access denied, …: the model must say so
            return ToolOutput({"error": str(err)})
        return result if isinstance(result, ToolOutput) else ToolOutput(result)


def _short(err: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in err.errors())


def to_jsonable(value: Any) -> Any:
    """Plain JSON types; Decimal as a fixed-point string so no digit is lost."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, BaseModel):
        return to_jsonable(value.model_dump())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    return value


def render_data(data: Any) -> str:
    """The text the model reads for a tool result."""
    if isinstance(data, str):
        return data
    return json.dumps(to_jsonable(data), ensure_ascii=False, indent=1)
