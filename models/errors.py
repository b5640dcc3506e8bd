"""The project's one error hierarchy.

Every error that policy-search raises on purpose derives from `PolicySearchError`.  The CLI and
the HTTP API map these to messages and status codes in one place each; library errors are
wrapped with ``raise ... from exc``.  It lives in ``models`` because that is the bottom layer that
every other package may import.
"""

from __future__ import annotations


class PolicySearchError(Exception):
    """Base of every error policy-search raises on purpose."""

    code = "policy_search_error"


class ConfigError(PolicySearchError):
    """A setting or option has an invalid value."""

    code = "config_error"


class EmbeddingError(PolicySearchError):
    """The embedding model could not be built, loaded or run."""

    code = "embedding_error"


class ParseError(PolicySearchError):
    """An input file could not be read as minutes; names the file and line or record."""

    code = "parse_error"

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class IndexNotFoundError(PolicySearchError):
    """No index exists at the given directory."""

    code = "index_not_found"


class IndexMismatchError(PolicySearchError):
    """The index was built with another model, dimension or schema version."""

    code = "index_mismatch"


class IndexCorruptError(PolicySearchError):
    """The index's SQLite database and FAISS vectors disagree or cannot be read."""

    code = "index_corrupt"


class StatementNotFoundError(PolicySearchError):
    """No statement has the requested id."""

    code = "statement_not_found"


class MeetingNotFoundError(PolicySearchError):
    """No meeting has the requested id."""

    code = "meeting_not_found"


class ThemeNotFoundError(PolicySearchError):
    """No theme or theme set has the requested id."""

    code = "theme_not_found"


class IndexWriteError(PolicySearchError):
    """The index could not be written (disk full, permissions); the previous index is kept."""

    code = "index_write_error"


class RemoteApiError(PolicySearchError):
    """A web API (the Kokkai API) answered with an error, or could not be reached."""

    code = "remote_api_error"
