"""Why a file could not be read, as one line a person can act on."""


class UnreadableDocument(Exception):
    """The file cannot be turned into a document; ``str(e)`` is the one-line reason."""
