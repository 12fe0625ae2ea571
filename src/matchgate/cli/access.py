"""``matchgate users|tokens|agencies ...``: thin shells over ``services.administration.users``
and ``services.administration.recipient_keys`` (``agencies keys add|list|revoke``).

The caller is the token in ``MATCHGATE_TOKEN`` (or the file named by ``MATCHGATE_TOKEN_FILE``),
never an option: a token on a command line sits in shell history and process lists. A new
token is printed alone on standard output, once (``... > token-file`` keeps it); everything
else goes to standard error.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from matchgate.cli.shell import AsJson, Runner, caller, current_app, echo, echo_json, say

if TYPE_CHECKING:
    from matchgate.domain.accounts import UserView
    from matchgate.services.administration.users import NewToken

Roles = Annotated[
    list[str],
    typer.Option(
        "--role",
        help="submitter, reviewer, privacy_officer, auditor or administrator; repeat for more.",
    ),
]
Days = Annotated[int, typer.Option(help="Days until the token expires (1 to 366).")]


def _show_token(made: NewToken) -> None:
    echo(made.token)
    say(
        f"token {made.token_id} for {made.user_id}, expires {made.expires_at:%Y-%m-%d}: shown "
        "once and stored only as a hash; keep it in MATCHGATE_TOKEN or a file named by "
        "MATCHGATE_TOKEN_FILE"
    )


def _user_json(user: UserView) -> dict[str, Any]:
    return {
        "id": user.id,
        "agency": user.agency,
        "roles": list(user.roles),
        "status": user.status,
        "created_at": user.created_at.isoformat(),
        "created_by": user.created_by,
        "revoked_at": None if user.revoked_at is None else user.revoked_at.isoformat(),
    }


def _users(run: Runner) -> typer.Typer:
    users = typer.Typer(help="Users: bootstrap the first, add, list, change roles, revoke.")

    @users.command("bootstrap")
    def bootstrap(
        agency: Annotated[str, typer.Option(help="The host agency's code, e.g. SSA.")],
        agency_name: Annotated[str, typer.Option("--agency-name", help="Its name.")],
        user: Annotated[str, typer.Option("--user", help="The first administrator's user id.")],
        days: Days = 90,
    ) -> None:
        """Create the host agency and its first administrator (only while no user exists)."""
        from matchgate.services.administration.users import bootstrap as make

        def work() -> None:
            made = make(
                current_app(), agency=agency, agency_name=agency_name, user_id=user, days=days
            )
            _show_token(made)

        run(work)

    @users.command("add")
    def add(
        user: Annotated[str, typer.Argument(metavar="USER", help="New user id.")],
        agency: Annotated[str, typer.Option(help="The user's agency code.")],
        role: Roles,
    ) -> None:
        """Create a user of an agency with roles (administrators)."""
        from matchgate.services.administration.users import add_user

        def work() -> None:
            made = add_user(current_app(), user, agency=agency, roles=role, caller=caller())
            say(f"user {made.id} ({made.agency}) created with roles {', '.join(made.roles)}")

        run(work)

    @users.command("list")
    def list_(
        agency: Annotated[str | None, typer.Option(help="Only this agency.")] = None,
        as_json: AsJson = False,
    ) -> None:
        """Users of the agencies you manage or audit."""
        from matchgate.services.administration.users import list_users

        def work() -> None:
            rows = list_users(current_app(), caller=caller(), agency=agency)
            if as_json:
                echo_json([_user_json(u) for u in rows])
                return
            for u in rows:
                echo(f"{u.id}  {u.agency}  {u.status}  {','.join(u.roles) or '-'}")

        run(work)

    @users.command("roles")
    def roles(
        user: Annotated[str, typer.Argument(metavar="USER", help="User id.")],
        role: Roles,
    ) -> None:
        """Replace a user's roles (administrators); counts from the user's next request."""
        from matchgate.services.administration.users import set_roles

        def work() -> None:
            changed = set_roles(current_app(), user, role, caller=caller())
            say(f"user {changed.id}: roles {', '.join(changed.roles)}")

        run(work)

    @users.command("revoke")
    def revoke(user: Annotated[str, typer.Argument(metavar="USER", help="User id.")]) -> None:
        """Revoke a user and all their tokens (administrators); refused from the next request."""
        from matchgate.services.administration.users import revoke_user

        def work() -> None:
            revoked = revoke_user(current_app(), user, caller=caller())
            say(f"user {revoked.id} revoked, with every token of theirs")

        run(work)

    return users


def _tokens(run: Runner) -> typer.Typer:
    tokens = typer.Typer(help="API tokens: issue (shown once), list, revoke.")

    @tokens.command("issue")
    def issue(
        user: Annotated[
            str | None, typer.Option(help="For this user (administrators); default: yourself.")
        ] = None,
        days: Days = 90,
        label: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    ) -> None:
        """Issue a token; it is printed once, on standard output, and stored only as a hash."""
        from matchgate.services.administration.users import issue_token

        def work() -> None:
            made = issue_token(current_app(), caller=caller(), user_id=user, days=days, label=label)
            _show_token(made)

        run(work)

    @tokens.command("list")
    def list_(
        user: Annotated[str | None, typer.Option(help="This user's (default: yours).")] = None,
    ) -> None:
        """Token ids and dates (never the tokens)."""
        from matchgate.services.administration.users import list_tokens

        def work() -> None:
            for t in list_tokens(current_app(), caller=caller(), user_id=user):
                state = "revoked" if t.revoked_at else f"expires {t.expires_at:%Y-%m-%d}"
                echo(f"{t.id}  {t.user_id}  {t.label}  {t.created_at:%Y-%m-%d}  {state}")

        run(work)

    @tokens.command("revoke")
    def revoke(
        token_id: Annotated[str, typer.Argument(metavar="TOKEN_ID", help="The token's id.")],
    ) -> None:
        """Revoke a token (yours, or one of a user you manage); refused from the next request."""
        from matchgate.services.administration.users import revoke_token

        def work() -> None:
            revoke_token(current_app(), token_id, caller=caller())
            say(f"token {token_id} revoked")

        run(work)

    return tokens


def _agencies(run: Runner) -> typer.Typer:
    agencies = typer.Typer(help="Agencies whose staff use matchgate.")

    @agencies.command("add")
    def add(
        code: Annotated[str, typer.Argument(metavar="CODE", help="Agency code, e.g. DHS.")],
        name: Annotated[str, typer.Option(help="The agency's name.")],
    ) -> None:
        """Register a partner agency (the host agency's administrators)."""
        from matchgate.services.administration.users import add_agency

        def work() -> None:
            made = add_agency(current_app(), code, name, caller=caller())
            say(f"agency {made.code} registered")

        run(work)

    @agencies.command("list")
    def list_() -> None:
        """Agencies you manage or audit (the host's administrators: all)."""
        from matchgate.services.administration.users import list_agencies

        def work() -> None:
            for a in list_agencies(current_app(), caller=caller()):
                echo(f"{a.code}  {a.name}" + ("  (host)" if a.host else ""))

        run(work)

    agencies.add_typer(_keys(run), name="keys")
    return agencies


def _keys(run: Runner) -> typer.Typer:
    keys = typer.Typer(
        help="Recipient agencies' public keys: the only keys packages are sealed to.",
        no_args_is_help=True,
    )

    @keys.command("add")
    def add(
        agency: Annotated[str, typer.Argument(metavar="AGENCY", help="Recipient agency code.")],
        public_key: Annotated[Path, typer.Argument(metavar="PUBFILE", help="Its .pub file.")],
        fingerprint: Annotated[
            str,
            typer.Option(help="The key id the agency confirmed by another channel (32 hex)."),
        ],
    ) -> None:
        """Register AGENCY's public key as its current key (the host's administrators); a
        previous key is retired. Refused when FINGERPRINT is not the key's id."""
        from matchgate.services.administration.recipient_keys import add_recipient_key

        def work() -> None:
            made = add_recipient_key(
                current_app(), agency, public_key, fingerprint, caller=caller()
            )
            say(f"key {made.key_id} registered as the current key of {made.agency}")

        run(work)

    @keys.command("list")
    def list_(
        agency: Annotated[
            str | None, typer.Argument(metavar="[AGENCY]", help="Only this agency.")
        ] = None,
    ) -> None:
        """Registered keys you may see: id, agency, status (current, retired, revoked), dates."""
        from matchgate.services.administration.recipient_keys import list_recipient_keys

        def work() -> None:
            for k in list_recipient_keys(current_app(), agency, caller=caller()):
                ended = k.revoked_at or k.retired_at
                until = "" if ended is None else f" until {ended:%Y-%m-%d}"
                echo(
                    f"{k.key_id}  {k.agency}  {k.status}  registered {k.registered_at:%Y-%m-%d} "
                    f"by {k.registered_by}{until}"
                )

        run(work)

    @keys.command("revoke")
    def revoke(key: Annotated[str, typer.Argument(metavar="KEY_ID", help="Key id.")]) -> None:
        """Revoke a registered key (the host's administrators): nothing is sealed to it again."""
        from matchgate.services.administration.recipient_keys import revoke_recipient_key

        def work() -> None:
            done = revoke_recipient_key(current_app(), key, caller=caller())
            say(f"key {done.key_id} of {done.agency} revoked")

        run(work)

    return keys


def register(app: typer.Typer, run: Runner) -> None:
    """Add ``users``, ``tokens`` and ``agencies`` to ``app``."""
    for name, sub in (
        ("users", _users(run)),
        ("tokens", _tokens(run)),
        ("agencies", _agencies(run)),
    ):
        sub.info.no_args_is_help = True
        app.add_typer(sub, name=name)
