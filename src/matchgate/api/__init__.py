"""The HTTP API: a thin shell over the application core (docs/api.md).

``create_api(app)`` builds the FastAPI application; ``matchgate serve`` runs it on uvicorn.
"""

from matchgate.api.config import ApiConfig
from matchgate.api.factory import create_api

__all__ = ["ApiConfig", "create_api"]
