"""Many cases: batch (one process or a pool), partitions for Spark/Dask, diff between rulesets."""
