"""Loading: records → the contract's warehouse, DuckDB or PostgreSQL, through SQLAlchemy Core.

One code path for both backends. A document's rows are replaced inside one
transaction, so a reader never sees half a document.

SQLAlchemy and the drivers load only when a loader is first used, so
``fiscaldoc extract`` (which never touches a warehouse) starts without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

DEFAULT_URL = "duckdb:///warehouse.duckdb"

if TYPE_CHECKING:
    from fiscaldoc.warehouse.load import Warehouse, open_warehouse

__all__ = ["DEFAULT_URL", "Warehouse", "open_warehouse"]


def __getattr__(name: str) -> Any:
    if name in ("Warehouse", "open_warehouse"):
        from fiscaldoc.warehouse import load

        return getattr(load, name)
    raise AttributeError(f"module 'fiscaldoc.warehouse' has no attribute {name!r}")
