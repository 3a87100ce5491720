from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, id_column


class AuthAttempt(Base):
    """One counted sign-in or registration attempt (services/auth_throttle.py).

    In the database rather than in process memory, so every API replica sees
    the same counts. `key` is e.g. "login-account:ann@example.com",
    "login-address:203.0.113.7" or "register-address:203.0.113.7"; `at` is Unix
    time in seconds. Rows older than the throttle window are pruned on insert."""

    __tablename__ = "auth_attempts"

    id: Mapped[str] = id_column()
    key: Mapped[str] = mapped_column(String(400), index=True)
    at: Mapped[float] = mapped_column(Float, index=True)
