-- Appended to every bench script: one JSON line wrk's caller parses (bench/common.py).
-- errors.status counts answers of 400 and above: a bench that got them measured nothing.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nWRK_RESULT {"requests": %d, "seconds": %.6f, "p50_us": %d, "p95_us": %d, ' ..
      '"p99_us": %d, "errors": %d, "status_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
