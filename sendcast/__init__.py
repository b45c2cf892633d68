"""sendcast: forecast and simulate SEND provision for English local authorities.

The application layer: data loading and validation, scenarios, costing, reports and
the ``sendcast`` command. The engines live in the ``forecast`` and ``simulation``
packages and never import this one.
"""

__version__ = "0.1.0"
