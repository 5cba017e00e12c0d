"""CS-5: points from actual stays only. ``ledger`` is the points ledger (lots and moves between
buckets); ``stays`` turns the no-show desk's outcomes into lots; rules and jobs beside them."""
