"""Whether the [llm] settings can be used, and where they point: the checks
the coach factory, the LLM coach and the CLI share (privacy.local_only, a
local api_base, the provider of a model name)."""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

from mock_interviewer_lab.settings import LlmSettings, Settings

#: litellm providers that talk to a server on this machine when no api_base
#: is given (their default address is localhost), with the environment
#: variable litellm reads for another address.
_LOCAL_BY_DEFAULT = {
    "ollama": "OLLAMA_API_BASE",
    "ollama_chat": "OLLAMA_API_BASE",
    "llamafile": "LLAMAFILE_API_BASE",
}
_LOCAL_HOSTS = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class CoachUnavailable(RuntimeError):
    """The coach asked for cannot be built; the message names the setting."""


def settings_file(settings: Settings) -> str:
    """Where the settings came from, for messages."""
    return settings.source or "the built-in defaults (no settings.toml)"


def is_local_host(host: str | None) -> bool:
    """True for a loopback host name or address (127.0.0.0/8, ::1, localhost)."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host in _LOCAL_HOSTS or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def provider_of(model: str) -> str:
    """The litellm provider prefix of ``model`` ("openai/x" -> "openai"), or ""."""
    return model.split("/", 1)[0].lower() if "/" in model else ""


def effective_api_base(llm: LlmSettings) -> str:
    """The address litellm will call: ``[llm] api_base``, else a local
    provider's own default (or its environment variable), else ""."""
    if llm.api_base:
        return llm.api_base
    provider = provider_of(llm.model)
    env = _LOCAL_BY_DEFAULT.get(provider)
    if env is None:
        return ""
    if os.environ.get(env):
        return os.environ[env]
    return "http://localhost:11434" if provider.startswith("ollama") else "http://127.0.0.1:8080"


def check_llm_settings(settings: Settings) -> None:
    """Refuse an ``[llm]`` section that cannot be used, or that would send
    the interview off this machine while ``privacy.local_only`` is on."""
    llm, where = settings.llm, settings_file(settings)
    if not llm.model.strip():
        raise CoachUnavailable(f"[llm] model is empty in {where}; set it, e.g. "
                               "model = \"ollama/llama3.1\" or \"openai/<name>\" with api_base")
    if llm.api_base:
        parts = urlsplit(llm.api_base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CoachUnavailable(f"[llm] api_base = {llm.api_base!r} in {where} is not an "
                                   "http(s) URL")
    if not settings.privacy.local_only:
        return
    base = effective_api_base(llm)
    if not base:
        raise CoachUnavailable(
            f"privacy.local_only = true in {where} refuses model {llm.model!r} without a local "
            "[llm] api_base (it would call a remote provider); set api_base to a server on "
            "127.0.0.1/localhost, or set privacy.local_only = false")
    host = urlsplit(base).hostname
    if not is_local_host(host):
        raise CoachUnavailable(
            f"privacy.local_only = true in {where} refuses api_base {base!r} (host {host!r} is "
            "not this machine); use a server on 127.0.0.1/localhost, or set "
            "privacy.local_only = false")
