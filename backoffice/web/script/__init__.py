"""The folder of the script Streamlit runs (see app.py here)."""
