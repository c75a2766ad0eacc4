"""The ``fiscaldoc`` command line (CONTRACT.md § CLI): the interface layer."""

from fiscaldoc.cli.app import app, main

__all__ = ["app", "main"]
