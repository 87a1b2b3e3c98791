"""Regression evals: cases as YAML data (`evals/cases/`), deterministic checks, a runner over any
answerer (in-process, a running jixiao, or an OpenAI-compatible assistant) and a release gate.

`jixiao eval` is the command; `evals.runner.evaluate` and `evals.gate.compare` are the library API.
"""
