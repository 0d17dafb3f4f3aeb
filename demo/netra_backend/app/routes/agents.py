"""Agent routes: a few imports that drifted from the registry."""
from netra_backend.app.agents.agent_websocket_bridge import create_agent_websocket_bridge
from netra_backend.app.agents.registry import AgentRegistry
from netra_backend.app.db.clickhouse_client import ClickHouseClient
from netra_backend.app.agents.corpus_admin_sub_agent import CorpusAdminSubAgent
from netra_backend.app.services.user_execution_context import UserExecutionContext
from auth_service.auth_core.services.auth_service import AuthService


def start(user_context: UserExecutionContext) -> None:
    bridge = create_agent_websocket_bridge()
    AgentRegistry(), ClickHouseClient(), CorpusAdminSubAgent(), AuthService(), bridge
