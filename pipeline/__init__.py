"""The pipeline: one document through extract → normalise → check.

:func:`fiscaldoc.pipeline.process.process` is the one call per document that the
flow's workers and ``fiscaldoc extract`` make; :mod:`fiscaldoc.pipeline.choice`
keeps, among a document's readings, the one whose arithmetic holds.
"""
