"""The deterministic answerer (no language model): analysis, evidence, metrics, templates."""

from service.answer.deterministic.answerer import DeterministicAnswerer

__all__ = ["DeterministicAnswerer"]
