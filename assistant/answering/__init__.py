"""Grounded answers: retrieve, pick the clauses that answer, cite them; refuse when there is no basis."""

from assistant.answering.models import Answer, Citation

__all__ = ["Answer", "Citation"]
