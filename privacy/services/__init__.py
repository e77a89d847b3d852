"""Law 25 orchestration: exports, closure and retention. Above every other app: these modules
read any model and call down into the other apps' services; where they write another app's
rows directly (de-identification, retention), the rule is stated at the write."""

from .closure import close_account
from .exports import build_export, request_export
from .retention import apply_retention, plan_retention

__all__ = [
    "apply_retention",
    "build_export",
    "close_account",
    "plan_retention",
    "request_export",
]
