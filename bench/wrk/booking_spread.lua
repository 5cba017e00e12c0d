-- Like booking.lua, over spread inventory: each request picks one of BENCH_BODIES (bodies one
-- a line, each its own room type and stay) at random. @KEY@ is the unique part of the
-- idempotency key, @PHONE@ a booker's phone: every caller books a few times, as on the phone
-- lines, rather than one caller booking thousands of times (their IN-10 history is read).
local threads_made = 0
function setup(thread)
  threads_made = threads_made + 1
  thread:set("thread_id", threads_made)
end

local bodies, counter = {}, 0
for line in string.gmatch(os.getenv("BENCH_BODIES") or "", "[^\n]+") do
  bodies[#bodies + 1] = line
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  wrk.headers[name] = value
end

function init(args)
  math.randomseed(os.time() + (thread_id or 0) * 7919)
end

function request()
  counter = counter + 1
  local key = string.format("bench-%d-%d-%d", os.time(), thread_id or 0, counter)
  local phone = string.format("13%d%08d", thread_id or 0, counter % 100000000)
  local body = bodies[math.random(#bodies)]:gsub("@KEY@", key):gsub("@PHONE@", phone)
  return wrk.format(nil, nil, nil, body)
end
