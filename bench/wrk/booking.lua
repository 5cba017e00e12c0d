-- POSTs a booking per request; the idempotency key and guest differ every time.
-- BENCH_BODY is the JSON body with @KEY@ where the unique part goes; BENCH_HEADERS is
-- "name: value" lines (the session cookie and CSRF token for roomline, none for raw). @PHONE@
-- is a booker's phone: every caller books a few times (their IN-10 history is read), not one
-- caller thousands of times.
local threads_made = 0
function setup(thread)
  threads_made = threads_made + 1
  thread:set("thread_id", threads_made)
end

local body_template, counter = os.getenv("BENCH_BODY"), 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  wrk.headers[name] = value
end

function request()
  counter = counter + 1
  local key = string.format("bench-%d-%d-%d", os.time(), thread_id or 0, counter)
  local phone = string.format("13%d%08d", thread_id or 0, counter % 100000000)
  return wrk.format(nil, nil, nil, (body_template:gsub("@KEY@", key):gsub("@PHONE@", phone)))
end
