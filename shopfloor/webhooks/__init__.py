"""Webhooks: the floor's events posted as signed JSON to configured URLs, through an outbox with retries."""
