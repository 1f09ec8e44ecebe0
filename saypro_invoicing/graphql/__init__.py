"""The plugin's GraphQL API: host-agnostic types, filters, resolvers and mutations (graphene 2, as Saleor).

The standalone schema (schema.py) serves them without Saleor; the Saleor host attaches the same
classes to Saleor's built schema.
"""
