"""Errors of the metrics module: a metric that cannot be computed says why, in Chinese and English.

Stdlib only (the module never imports `ingest` or `fastapi`). `code` is stable for programs;
`str(err)` is "中文 / English" for people. `to_dict()` has the same shape as
`ingest.errors.JixiaoError.to_dict()` plus both messages, so the API can map it in one place.
"""

from __future__ import annotations


class MetricError(Exception):
    """Base class: a metric could not be computed from the given inputs."""

    code = "metric_error"

    def __init__(self, message_zh: str, message_en: str, *, field: str | None = None) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en
        self.field = field

    @property
    def message(self) -> str:
        return str(self)

    def to_dict(self) -> dict[str, str]:
        out = {
            "code": self.code,
            "message": str(self),
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }
        if self.field:
            out["field"] = self.field
        return out


class ZeroDenominator(MetricError):
    code = "division_by_zero"


class MissingInput(MetricError):
    code = "missing_input"


class NegativeValue(MetricError):
    """A value that cannot be negative (a budget, a head count, a score) is negative."""

    code = "negative_value"


class UnitMismatch(MetricError):
    """Units of different kinds were combined (万元 + 人), or a unit is not allowed here."""

    code = "unit_mismatch"


class BadNumber(MetricError):
    """Not a finite decimal number (text, NaN, infinity, a bool ...)."""

    code = "bad_number"


class UnknownMetric(MetricError):
    code = "unknown_metric"


class UnexpectedInput(MetricError):
    """An argument the metric does not take (a typo, or the wrong metric)."""

    code = "unexpected_input"


class BadGradeRule(MetricError):
    code = "bad_grade_rule"


class OutOfRange(MetricError):
    """A value outside what the metric allows (a score above its maximum, a grade rule gap)."""

    code = "out_of_range"
