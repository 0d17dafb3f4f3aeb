from netra_backend.app.core.execution_tracker import get_execution_tracker
from netra_backend.app.services.user_execution_context import get_current_user  # does not exist
