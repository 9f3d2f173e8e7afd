"""Errors raised while reading documents.

The whole loanwatch hierarchy (the rest lives in ``assistant.errors``)::

    LoanwatchError                 base of every error we raise on purpose
    ├── ConfigError                the user can fix it (setting, key, path)
    ├── DocumentError              bad input: cannot be read as asked
    │   ├── EmptyDocumentError     zero bytes
    │   ├── NotAPdfError           not a PDF (nor another format we read)
    │   ├── CorruptDocumentError   truncated or damaged file
    │   ├── EncryptedDocumentError needs a password we do not have
    │   ├── ScannedDocumentError   image-only pages and no text could be read from them
    │   ├── TooLargeDocumentError  over the configured size / page limit
    │   └── UnsupportedFormatError an extension we do not parse
    ├── ModelError                 an LLM backend misbehaved (keeps the raw body)
    ├── StoreError                 the database or vector store failed
    └── AccessDeniedError          the caller may not see that client

Only the CLI and the UI turn these into one-line messages for people; ``str(err)``
is already that line: what happened, then what to do.
"""

from __future__ import annotations


class LoanwatchError(Exception):
    """Base class of every error loanwatch raises on purpose."""

    #: What the person can do about it; appended to the message.
    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        if hint is not None:
            self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class ConfigError(LoanwatchError):
    """A setting, key or path is wrong; the user can fix it."""


class DocumentError(LoanwatchError):
    """A document cannot be read as asked."""

    hint = "check the file and send a readable copy"

    def __init__(self, message: str, *, path: str | None = None, hint: str | None = None) -> None:
        self.path = path
        super().__init__(message, hint=hint)


class EmptyDocumentError(DocumentError):
    hint = "the file has no content; ask the borrower to send it again"


class NotAPdfError(DocumentError):
    hint = "send a PDF, Excel (.xlsx), Word (.docx) or text file"


class CorruptDocumentError(DocumentError):
    hint = "the file is damaged or truncated; ask the borrower for a fresh copy"


class EncryptedDocumentError(DocumentError):
    hint = "ask the borrower for an unprotected copy (or the password) and try again"


class ScannedDocumentError(DocumentError):
    hint = "it has no text layer; `loanwatch extract` reads it by OCR, or ask for a text-based PDF or the Excel original"


class TooLargeDocumentError(DocumentError):
    hint = "split the file or raise LOANWATCH_MAX_PAGES / LOANWATCH_MAX_FILE_MB"


class UnsupportedFormatError(DocumentError):
    hint = "send a PDF, Excel (.xlsx), Word (.docx), Markdown or text file"
