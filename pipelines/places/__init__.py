"""Places: the gazetteer (GeoNames plus our own seeds), recognition of place names in text and their resolution
to coordinates. Pure functions, no Dagster."""
