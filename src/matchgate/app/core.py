"""``App``: what a process holds while it serves, built once by its shell.

A shell (the CLI, the HTTP API) reads the settings from its environment once, builds
one ``App`` and hands it to every use case; nothing below the shell reads the environment. The
App owns what is costly or must be single per process:

* the operational store: its URL (one rule: SQLite in the workspace unless ``database_url``) and
  a unit of work per use case (``unit_of_work``: one session, committed when the block succeeds);
* the audit sink, opened on first use and kept: its ``append`` returns only after the entry's
  own transaction has committed (``matchgate.app.audit.AuditLog``), independently of the use
  case's unit of work, so nothing is released unrecorded even if the use case later fails;
* the data-key ring, opened on first use;
* the engines, built from the settings (``matchgate.app.engines``);
* the agency's clock and calendar (``today`` in the agency's time zone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property

from matchgate.app.audit import AuditConfig, AuditLog, audit_config, open_audit, utcnow
from matchgate.domain.audit import AuditSink
from matchgate.domain.errors import MatchgateError
from matchgate.settings import Settings
from matchgate.storage.db import UnitOfWork, session, store_url


class App:
    """One per process; see the module docstring. ``audit`` may be given (a test's sink); when
    it is an :class:`~matchgate.app.audit.AuditLog`, it is also the App's audit log and its
    configuration the App's ``audit_config``."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        audit: AuditSink | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self._audit = audit
        self._log: AuditLog | None = None

    @cached_property
    def store_url(self) -> str:
        return store_url(self.settings)

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """One session for one use case: committed when the block succeeds, rolled back if not."""
        with session(self.store_url) as s:
            yield s

    @cached_property
    def audit_config(self) -> AuditConfig:
        if isinstance(self._audit, AuditLog):
            return self._audit.config
        return audit_config(self.settings)

    @property
    def audit(self) -> AuditSink:
        """The audit sink: the one given, else the configured log (``audit_log``)."""
        return self._audit if self._audit is not None else self.audit_log()

    def audit_log(self) -> AuditLog:
        """The configured audit log, opened on first use and kept (``ConfigurationError`` when
        there is no audit store, or it or its keys cannot be used)."""
        if self._log is None and isinstance(self._audit, AuditLog):
            self._log = self._audit
        if self._log is None:
            self._log = open_audit(self.audit_config, clock=self.clock)
        return self._log

    def refusal_audit(self) -> AuditSink | None:
        """The audit sink for a refusal, or None when none can be opened (the refusal then
        stands unrecorded): what ``matchgate.app.access`` takes as its ``audit``."""
        try:
            return self.audit
        except MatchgateError:
            return None

    def today(self) -> dt.date:
        """Today in the agency's time zone."""
        return self.clock().astimezone(self.settings.zone).date()
