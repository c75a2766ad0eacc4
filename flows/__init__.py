"""Prefect flows: they only order the stages, with retries and artifacts."""
