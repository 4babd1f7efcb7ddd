"""Streamlit user interface: page scripts, widgets and charts. The only place (with app.py)
that imports streamlit."""
