from shopfloor import create_app

app = create_app()
