"""Embeddings from any OpenAI-compatible ``/v1/embeddings`` endpoint (``LOANWATCH_EMBEDDING=openai``).

Uses the ``openai`` client directly: LangChain's ``OpenAIEmbeddings`` would try to fetch a
tokenizer offline unless ``check_embedding_ctx_length=False``, and adds nothing here.
"""

from __future__ import annotations

from typing import Sequence

from assistant.config import Settings, get_settings
from assistant.errors import ModelError
from assistant.llm.client import endpoint_from_settings, model_errors, openai_client

_BATCH = 256


def embed_texts(texts: Sequence[str], *, model: str | None = None, settings: Settings | None = None) -> list[list[float]]:
    """One vector per text, in order. ConfigError without a key; ModelError if the server fails."""
    settings = settings or get_settings()
    endpoint = endpoint_from_settings(settings, model=model or settings.embedding_model)
    client = openai_client(endpoint)
    vectors: list[list[float]] = []
    for i in range(0, len(texts), _BATCH):
        batch = [t if t.strip() else " " for t in texts[i:i + _BATCH]]  # the API rejects empty strings
        with model_errors(endpoint):
            response = client.embeddings.create(model=endpoint.model, input=batch)
        data = sorted(response.data, key=lambda d: d.index)
        if len(data) != len(batch):
            raise ModelError(f"The embeddings endpoint returned {len(data)} vectors for {len(batch)} texts",
                             raw=response.model_dump_json()[:2000])
        vectors.extend(list(d.embedding) for d in data)
    return vectors
