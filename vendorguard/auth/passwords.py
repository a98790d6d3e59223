"""How strong a new password must be: long enough, not guessable (zxcvbn score ≥ 3, offline word
lists shipped with the package), not the e-mail address, not the current password."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import gettext as _

from vendorguard.core.errors import DomainError

if TYPE_CHECKING:
    from vendorguard.auth.models import User

# ASVS 4.0.3 2.1.1 / 2.1.2: at least 12 characters; up to 128 (a pass phrase fits, a pasted book
# does not: scrypt's cost grows with the input). The forms read these (auth/forms.py MIN_PASSWORD).
MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline attacks"
_ESTIMATED = 100  # zxcvbn's time grows with length; what follows is no weaker for it


class WeakPassword(DomainError):
    """A new password that is refused; the message says why, in Japanese."""


def check_new_password(
    password: str,
    *,
    email: str = "",
    name: str = "",
    user: User | None = None,
    field: str = "password",
) -> None:
    """Refuse a weak new password (``user``: whose password it becomes, to compare with the current)."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(
            _("パスワードは%(min)d文字以上にしてください。", min=MIN_LENGTH), field=field
        )
    if len(password) > MAX_LENGTH:
        raise WeakPassword(
            _("パスワードは%(max)d文字以内にしてください。", max=MAX_LENGTH), field=field
        )
    email = (email or (user.email if user is not None else "")).strip().lower()
    name = name or (user.name if user is not None else "")
    local = email.partition("@")[0]
    folded = password.strip().lower()
    if email and (folded == email or (len(local) >= 4 and folded == local)):
        raise WeakPassword(_("メールアドレスをパスワードにすることはできません。"), field=field)
    if user is not None and user.password_hash and user.check_password(password):
        raise WeakPassword(
            _("現在のパスワードと同じパスワードは使えません。別のパスワードにしてください。"),
            field=field,
        )
    inputs = [value for value in (email, local, name, "vendorguard") if value]
    # Imported here: its word lists cost every process ~13 MiB, and only password changes need them.
    from zxcvbn import zxcvbn

    if zxcvbn(password[:_ESTIMATED], user_inputs=inputs)["score"] < MIN_SCORE:
        raise WeakPassword(
            _(
                "推測されやすいパスワードです。よく使われる語や同じ文字の繰り返し、"
                "メールアドレスや氏名を避け、単語をいくつか組み合わせるなどして長くしてください。"
            ),
            field=field,
        )
