"""The account forms. FlaskForm, whose CSRF field the global CSRFProtect checks (never SecureForm too)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from web.admin.passwords import MAX_LENGTH, password_problem


class LoginForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])


class _StrongPassword:
    """A password the policy accepts (``web.admin.passwords.password_problem``)."""

    def __call__(self, form: Any, field: Any) -> None:
        if field.data and (problem := password_problem(field.data, form.email)):
            raise ValidationError(problem)


class PasswordForm(FlaskForm):  # type: ignore[misc]
    current = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField("New password", validators=[DataRequired(), _StrongPassword()])
    repeat = PasswordField("New password again", validators=[DataRequired(), EqualTo("new", "The two differ.")])

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email


class ResetForm(FlaskForm):  # type: ignore[misc]
    password = PasswordField("Temporary password (leave empty to generate one)",
                             validators=[Optional(), _StrongPassword()])

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
