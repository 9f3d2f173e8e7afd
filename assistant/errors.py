"""The error hierarchy of loanwatch.

::

    LoanwatchError                 base of every error we raise on purpose
    ├── ConfigError                the user can fix it (setting, key, path)
    │   └── IssuerMismatchError    a statement's printed issuer is not the client it is filed under
    ├── DocumentError              bad, encrypted, scanned or unsupported input
    │   └── (EmptyDocumentError, NotAPdfError, CorruptDocumentError,
    │        EncryptedDocumentError, ScannedDocumentError,
    │        TooLargeDocumentError, UnsupportedFormatError)
    ├── ModelError                 an LLM backend misbehaved (keeps the raw body)
    ├── StoreError                 the database or vector store failed
    │   └── NotFoundError          a client, period or record is not stored
    └── AccessDeniedError          the caller may not see that client

The document errors are defined in ``extractors.errors`` (extractors may not import
assistant); they are re-exported here so callers need one import.
"""

from __future__ import annotations

from extractors.errors import (
    ConfigError,
    CorruptDocumentError,
    DocumentError,
    EmptyDocumentError,
    EncryptedDocumentError,
    LoanwatchError,
    NotAPdfError,
    ScannedDocumentError,
    TooLargeDocumentError,
    UnsupportedFormatError,
)


class IssuerMismatchError(ConfigError):
    """A statement names another company as its issuer than the client it is uploaded to."""


class ModelError(LoanwatchError):
    """An LLM backend failed or answered something unusable."""

    hint = "check OPENAI_BASE_URL / LOANWATCH_LLM_MODEL, or unset OPENAI_API_KEY to use the built-in engine"

    def __init__(self, message: str, *, raw: str | None = None, hint: str | None = None) -> None:
        self.raw = raw
        super().__init__(message, hint=hint)


class StoreError(LoanwatchError):
    """The database or the vector store failed."""

    hint = "check LOANWATCH_DB_URL / LOANWATCH_HOME and that the database is reachable"


class NotFoundError(StoreError):
    """A client, period or record is not stored."""

    hint = "run `loanwatch client list` to see what is stored"


class AccessDeniedError(LoanwatchError):
    """The caller may not see that client."""

    hint = "ask an administrator to assign the client to you"


__all__ = [
    "AccessDeniedError",
    "ConfigError",
    "CorruptDocumentError",
    "DocumentError",
    "EmptyDocumentError",
    "EncryptedDocumentError",
    "IssuerMismatchError",
    "LoanwatchError",
    "ModelError",
    "NotAPdfError",
    "NotFoundError",
    "ScannedDocumentError",
    "StoreError",
    "TooLargeDocumentError",
    "UnsupportedFormatError",
]
