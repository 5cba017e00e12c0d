-- GETs the queries in BENCH_PATHS_FILE (one path with its query string a line), each thread
-- from its own place in the list. BENCH_DELAY_MS > 0 spaces each connection's requests by a
-- random exponential wait of that mean: N connections then arrive at about N * 1000 / mean
-- a second, at random, as agents do.
local threads_made = 0
function setup(thread)
  threads_made = threads_made + 1
  thread:set("thread_id", threads_made)
end

local paths, next_path = {}, 1
for line in io.lines(os.getenv("BENCH_PATHS_FILE")) do paths[#paths + 1] = line end
for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  wrk.headers[name] = value
end
local mean_delay = tonumber(os.getenv("BENCH_DELAY_MS") or "0")

function init(args)
  next_path = ((thread_id or 1) * 7919) % #paths + 1
  math.randomseed(os.time() + (thread_id or 0))
end

function request()
  local path = paths[next_path]
  next_path = next_path % #paths + 1
  return wrk.format("GET", path)
end

function delay()
  if mean_delay <= 0 then return 0 end
  return -math.log(1 - math.random()) * mean_delay
end
