"""loanwatch's domain: config, store, analytics, retrieval, chat, memo, ledger, LLM backends, CLI."""

__version__ = "0.1.0"
