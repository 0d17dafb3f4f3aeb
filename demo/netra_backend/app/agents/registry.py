"""Compatibility re-export of the agent registry."""
from netra_backend.app.agents.supervisor.agent_registry import AgentRegistry, get_agent_registry

__all__ = ["AgentRegistry", "get_agent_registry"]
