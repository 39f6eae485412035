"""Outbox of notifications (e-mail when MN_SMTP_URL is set); never lost, never blocking a request."""
