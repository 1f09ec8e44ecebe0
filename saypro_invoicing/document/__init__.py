"""The one document model (EN 16931 terms) and the one module that calculates it."""
