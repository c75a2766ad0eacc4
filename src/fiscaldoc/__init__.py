"""fiscaldoc: Chinese budget attachments in, a checked warehouse out.

The pipeline is four top-level packages, in order: ``extractors`` (file →
:class:`fiscaldoc.model.document.RawDocument`), ``normalizers`` (→ typed records),
``checks`` (records → findings) and ``warehouse`` (→ DuckDB / PostgreSQL).
``flows`` orders them under Prefect; :mod:`fiscaldoc.pipeline.process` is the one
call per document that both the flow and ``fiscaldoc extract`` use.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fiscaldoc")
except PackageNotFoundError:  # running from a checkout without installing
    __version__ = "0.2.0"

PIPELINE_VERSION = __version__
