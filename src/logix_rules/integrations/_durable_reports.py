"""What the durable backend reports besides its results: the rules it cannot run, a
missing install, and the open incidents it finds."""

from __future__ import annotations

import attrs

from ..core._errors import LogixError

__all__ = [
    "DurableIncident",
    "DurableUnavailable",
    "UnsupportedRule",
    "UnsupportedRulesError",
    "UnsupportedRulesWarning",
]


class DurableUnavailable(LogixError, ImportError):
    """durable-rules is not installed."""

    def __init__(self) -> None:
        super().__init__(
            "the durable backend needs durable-rules; install it with "
            "pip install 'logix[durable]' (durable-rules==2.0.28)"
        )


@attrs.frozen
class UnsupportedRule:
    """A pack rule the backend cannot express, and why."""

    rule_id: str
    kind: str
    reason: str

    def __str__(self) -> str:
        return f"{self.rule_id} ({self.kind}): {self.reason}"


def _listing(rules: tuple[UnsupportedRule, ...], pack: str) -> str:
    lines = "\n".join(f"  {rule}" for rule in rules)
    return (
        f"{len(rules)} rule(s) of pack {pack!r} cannot run on durable_rules and are left "
        f"out; incidents of their kinds may differ from the core engine:\n{lines}"
    )


class UnsupportedRulesWarning(UserWarning):
    """Some rules of a pack cannot run on durable_rules; ``rules`` lists them."""

    def __init__(self, rules: tuple[UnsupportedRule, ...], pack: str) -> None:
        self.rules = rules
        super().__init__(_listing(rules, pack))


class UnsupportedRulesError(LogixError, ValueError):
    """``strict=True`` and some rules cannot run on durable_rules; ``rules`` lists them."""

    def __init__(self, rules: tuple[UnsupportedRule, ...], pack: str) -> None:
        self.rules = rules
        super().__init__(
            _listing(rules, pack) + "\nPass strict=False to run the other rules anyway."
        )


@attrs.frozen
class DurableIncident:
    """An open incident as the backend sees it: who, what kind, how severe, which rules."""

    tracking_number: str
    kind: str
    severity: str
    rules: tuple[str, ...]
