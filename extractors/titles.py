"""Titles typed into a table's first rows are running text, not table rows.

Word and HTML exports often put ``附件 8`` or the plan's title in a first row
whose single cell spans the table. The normalisers look for titles in the
lines above a table's header, so such leading single-cell rows become lines
(one per paragraph of the cell). Rows after the first real row stay rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from fiscaldoc.model.document import Block, Line, Row


def leading_titles(rows: Iterable[Row]) -> Iterator[Block]:
    in_table = False
    for row in rows:
        filled = row.filled()
        if not in_table and len(filled) == 1:
            cell = filled[0]
            for paragraph in cell.text.split("\n"):
                if paragraph.strip():
                    yield Line(paragraph.strip(), page=cell.page or row.page, bbox=cell.bbox)
            continue
        if filled:
            in_table = True
        yield row
