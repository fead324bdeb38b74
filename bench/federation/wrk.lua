-- wrk script of the federation benchmark: POSTs the JSON body in the file named by
-- EHB_BENCH_BODY_FILE on every request, counts responses whose body holds "errors" (GraphQL
-- errors), and prints one line `EHB_RESULT {json}` with the figures the harness reads.
local file = assert(io.open(assert(os.getenv("EHB_BENCH_BODY_FILE")), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

graphql_errors = 0
responses = 0

function response(status, headers, body)
  responses = responses + 1
  if string.find(body, '"errors"', 1, true) then
    graphql_errors = graphql_errors + 1
  end
end

function done(summary, latency, requests)
  local with_errors, checked = 0, 0
  for _, thread in ipairs(threads) do
    with_errors = with_errors + thread:get("graphql_errors")
    checked = checked + thread:get("responses")
  end
  local errors = summary.errors
  io.write(string.format(
    'EHB_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"graphql_errors":%d,' ..
    '"checked":%d}\n',
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read,
    errors.write, errors.status, errors.timeout, latency:percentile(50), latency:percentile(99),
    with_errors, checked))
end
