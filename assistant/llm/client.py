"""Settings → the OpenAI-compatible clients, and SDK errors → ``ModelError``."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import openai

from assistant.config import Settings, get_settings
from assistant.errors import ConfigError, ModelError

NO_KEY = "No key found - set OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible server) or use LOANWATCH_ENGINE=builtin"


@dataclass(frozen=True)
class Endpoint:
    """Where the model lives: any OpenAI-compatible ``base_url`` (None: api.openai.com)."""

    api_key: str
    base_url: str | None
    model: str
    timeout_s: float = 120.0
    max_retries: int = 2


def endpoint_from_settings(settings: Settings | None = None, *, model: str | None = None) -> Endpoint:
    """The configured endpoint; ConfigError naming the fix when no key is set."""
    settings = settings or get_settings()
    if not settings.openai_api_key:
        raise ConfigError(NO_KEY)
    return Endpoint(settings.openai_api_key, settings.openai_base_url, model or settings.llm_model)


def require_llm(settings: Settings | None = None) -> Endpoint:
    """For ``LOANWATCH_ENGINE=llm``: the endpoint, or the ConfigError that says how to set one."""
    return endpoint_from_settings(settings)


def chat_model(endpoint: Endpoint):
    """A streaming LangChain chat model on the chat-completions API of ``endpoint``."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=endpoint.model,
        base_url=endpoint.base_url,
        api_key=endpoint.api_key,
        streaming=True,
        temperature=0,
        timeout=endpoint.timeout_s,
        max_retries=endpoint.max_retries,
        use_responses_api=False,
    )


def openai_client(endpoint: Endpoint) -> openai.OpenAI:
    return openai.OpenAI(api_key=endpoint.api_key, base_url=endpoint.base_url, timeout=endpoint.timeout_s,
                         max_retries=endpoint.max_retries)


@contextmanager
def model_errors(endpoint: Endpoint) -> Iterator[None]:
    """Turn SDK failures into ``ModelError`` (keeping the raw body) with a fix to try."""
    where = endpoint.base_url or "api.openai.com"
    try:
        yield
    except openai.APIConnectionError as err:
        raise ModelError(f"Cannot reach the model server at {where}: {err}",
                         hint="check OPENAI_BASE_URL and that the server is running") from err
    except openai.APIStatusError as err:
        raw = err.response.text if err.response is not None else None
        if err.status_code in (401, 403):
            raise ModelError(f"The model server at {where} refused the key (HTTP {err.status_code})", raw=raw,
                             hint="check OPENAI_API_KEY") from err
        raise ModelError(f"The model server at {where} answered HTTP {err.status_code}: {err.message}", raw=raw) from err
    except openai.OpenAIError as err:
        raise ModelError(f"The model call to {where} failed: {err}") from err
