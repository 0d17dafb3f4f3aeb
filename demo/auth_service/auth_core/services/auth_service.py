class UserRepository:
    pass


class AuthService:
    def authenticate_user(self) -> bool:
        return True


def verify_password(password: str) -> bool:
    return bool(password)
