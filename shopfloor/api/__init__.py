"""The JSON API (v1): read and write endpoints for other systems, its OpenAPI description and its tokens."""
