"""Loading: records → the contract's warehouse, DuckDB or PostgreSQL, through SQLAlchemy Core.

One code path for both backends. A document's rows are replaced inside one
transaction, so a reader never sees half a document.
"""

from warehouse.load import Warehouse, open_warehouse

__all__ = ["Warehouse", "open_warehouse"]
