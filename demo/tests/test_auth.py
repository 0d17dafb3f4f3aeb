from unittest.mock import patch

from auth_service.app.models.user import User


@patch("auth_service.app.services.auth_service.UserRepository")
def test_login(repo):
    assert User
