"""The schema revision this code reads and writes, without importing SQLAlchemy or alembic."""

#: the newest migration's revision id (``tests/test_store.py`` checks it against alembic's own head):
#: a database already there opens without loading alembic (0.2–0.3 s), and ``assistant.store.lite``
#: reads only a database at exactly this revision
SCHEMA_HEAD = "0013"
