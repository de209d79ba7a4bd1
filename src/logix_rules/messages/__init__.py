"""Messages about incidents: templates per scenario, audience, language and channel.

``render(incident, audience=..., lang=..., channel=...)`` fills a template with the
incident's facts (tracking number, deadlines in the recipient's zone and locale,
remedy amounts in their currency, the evidence) and returns a ``Message``.  The
built-in templates cover every kind of the ``default`` pack and the follow-up
moments; user directories override or add templates, and ``check_templates`` finds
their mistakes.  Needs the ``messages`` extra (Jinja2, Babel).  See docs/messages.md.
"""

try:
    import babel  # noqa: F401
    import jinja2  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        "logix_rules.messages needs Jinja2 and Babel, which the 'messages' extra "
        "installs: pip install 'logix[messages]'"
    ) from exc

from ._check import CheckReport, TemplateProblem, check_templates
from ._environment import BUILTIN_TEMPLATES
from ._errors import MessageError
from ._languages import language_chain
from ._render import Message, render
from ._samples import sample_incidents
from ._scenarios import AUDIENCES, CHANNELS, KINDS, MOMENTS, SCENARIOS
from ._sms import SmsCount, count_sms, fold_to_gsm

__all__ = [
    "AUDIENCES",
    "BUILTIN_TEMPLATES",
    "CHANNELS",
    "KINDS",
    "MOMENTS",
    "SCENARIOS",
    "CheckReport",
    "Message",
    "MessageError",
    "SmsCount",
    "TemplateProblem",
    "check_templates",
    "count_sms",
    "fold_to_gsm",
    "language_chain",
    "render",
    "sample_incidents",
]
