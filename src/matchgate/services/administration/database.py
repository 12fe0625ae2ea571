"""``db upgrade``: bring the operational store and the audit store to this version's schema.

Safe to run again (a store already current is left as it is). When the audit store is the
operational one (``MATCHGATE_AUDIT_URL`` empty), both are upgraded in that one database.
"""

from __future__ import annotations

from dataclasses import dataclass

from matchgate.app.core import App
from matchgate.storage import migrate
from matchgate.storage.audit import describe_url
from matchgate.storage.schema import AUDIT, OPERATIONAL


@dataclass(frozen=True)
class StoreUpgraded:
    """One store's upgrade: where (password hidden), and its revision before and after."""

    store: str
    where: str
    before: str | None
    after: str
    adopted: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return self.before != self.after


def upgrade_stores(app: App) -> list[StoreUpgraded]:
    """Upgrade the operational store, then the audit store; what each went from and to."""
    urls = {OPERATIONAL: app.settings.sqlite_url, AUDIT: app.audit_config.url}
    done: list[StoreUpgraded] = []
    for store, url in urls.items():
        result = migrate.upgrade(url, store)
        done.append(
            StoreUpgraded(store, describe_url(url), result.before, result.after, result.adopted)
        )
    return done


@dataclass(frozen=True)
class Readiness:
    """Whether a long-running shell can serve: each store's schema current, the audit log open."""

    problems: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return not self.problems


def check_ready(app: App) -> Readiness:
    """Check, afresh, that both stores answer at this version's schema and that the audit log
    can be opened (its store, its tables, its keys). Messages name stores and commands, never a
    password or a value."""
    from matchgate.app.audit import open_audit
    from matchgate.domain.errors import MatchgateError

    config = app.audit_config
    problems = [
        problem
        for problem in (
            migrate.schema_problem(app.settings.sqlite_url, OPERATIONAL),
            migrate.schema_problem(config.url, AUDIT),
        )
        if problem is not None
    ]
    if not problems:
        try:
            open_audit(config)
        except MatchgateError as exc:
            problems.append(exc.message)
    return Readiness(tuple(problems))
