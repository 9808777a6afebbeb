from tests.smtp import smtp_inbox

__all__ = ["smtp_inbox"]
