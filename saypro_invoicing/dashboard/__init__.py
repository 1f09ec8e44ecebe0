"""The plugin's Saleor app: manifest, install step and the dashboard pages (built from frontend/)."""
