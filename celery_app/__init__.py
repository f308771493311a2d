"""The Celery app: `celery -A celery_app worker` and `celery -A celery_app beat`."""

from celery_app.app import app

__all__ = ["app"]
