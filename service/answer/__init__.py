"""Answerers (deterministic, LLM agent), number grounding, and the answer contract."""
