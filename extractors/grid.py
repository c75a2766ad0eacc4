"""pdfplumber's table finder with its cell search indexed: same cells, a fraction of the time.

``pdfplumber.table.intersections_to_cells`` rebuilds sets of edge boxes for
every pair of points it tests and scans all later points for each point; on a
ruled page of a hundred cells that is most of the finder's cost. The search
below is the same one (same points, same order, same test for "an edge joins
these two points"), with the edge-box sets built once per point and the points
below and to the right looked up instead of scanned.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pdfplumber.table import (
    Table,
    TableFinder,
    TableSettings,
    cells_to_tables,
    edges_to_intersections,
)
from pdfplumber.utils.geometry import obj_to_bbox

Point = tuple[float, float]
Box = tuple[float, float, float, float]


def intersections_to_cells(intersections: dict[Point, dict[str, list[dict[str, Any]]]]) -> list[Box]:
    """Exactly ``pdfplumber.table.intersections_to_cells``."""
    v_sets = {p: {obj_to_bbox(e) for e in found["v"]} for p, found in intersections.items()}
    h_sets = {p: {obj_to_bbox(e) for e in found["h"]} for p, found in intersections.items()}

    def connects(p1: Point, p2: Point) -> bool:
        if p1[0] == p2[0] and not v_sets[p1].isdisjoint(v_sets[p2]):
            return True
        return p1[1] == p2[1] and not h_sets[p1].isdisjoint(h_sets[p2])

    points = sorted(intersections)
    same_x: dict[float, list[Point]] = defaultdict(list)
    same_y: dict[float, list[Point]] = defaultdict(list)
    for p in points:  # sorted, so each list is in the order the original scan meets them
        same_x[p[0]].append(p)
        same_y[p[1]].append(p)
    rank = {p: i for i, p in enumerate(points)}

    cells: list[Box] = []
    for i, pt in enumerate(points):
        below = [p for p in same_x[pt[0]] if rank[p] > i]
        right = [p for p in same_y[pt[1]] if rank[p] > i]
        cell = _smallest_cell(pt, below, right, intersections, connects)
        if cell is not None:
            cells.append(cell)
    return cells


def _smallest_cell(
    pt: Point, below: list[Point], right: list[Point], intersections: Any, connects: Any
) -> Box | None:
    for below_pt in below:
        if not connects(pt, below_pt):
            continue
        for right_pt in right:
            if not connects(pt, right_pt):
                continue
            corner = (right_pt[0], below_pt[1])
            if corner in intersections and connects(corner, right_pt) and connects(corner, below_pt):
                return (pt[0], pt[1], corner[0], corner[1])
    return None


class IndexedTableFinder(TableFinder):
    """``TableFinder`` step for step, with the indexed cell search."""

    def __init__(self, page: Any, settings: Any = None) -> None:
        self.page = page
        self.settings = TableSettings.resolve(settings)
        self.edges = self.get_edges()
        self.intersections = edges_to_intersections(
            self.edges,
            self.settings.intersection_x_tolerance,
            self.settings.intersection_y_tolerance,
        )
        self.cells = intersections_to_cells(self.intersections)
        self.tables = [Table(self.page, group) for group in cells_to_tables(self.cells)]
