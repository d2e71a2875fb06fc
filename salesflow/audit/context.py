"""Request metadata (the client's IP) for audit events, carried in a context variable per request."""

from contextvars import ContextVar

_ip: ContextVar[str] = ContextVar("salesflow_audit_ip", default="")


def set_ip(ip: str):
    return _ip.set(ip)


def reset_ip(token) -> None:
    _ip.reset(token)


def current_ip() -> str:
    return _ip.get()
