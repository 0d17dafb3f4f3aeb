"""Legacy path, kept working."""
from netra_backend.app.core.agent_execution_tracker import get_execution_tracker
