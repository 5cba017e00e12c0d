"""CS-2: the rewards catalogue, redemptions (points locked, the general manager approves or
rejects), the quarterly purchase and delivery batch, and the written confirmation."""
