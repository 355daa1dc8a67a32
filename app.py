from shopfloor import create_app
from shopfloor.buffered import BufferedWSGI
from shopfloor.config import ServerSettings

app = create_app()
# What `make run` serves (shopfloor/server.py): the app behind granian's RSGI interface, requests read whole first.
_server = ServerSettings.from_env()
served = BufferedWSGI(app, _server.threads, _server.body_timeout, _server.max_body)
