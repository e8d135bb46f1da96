-- wrk script: one endpoint (ENDPOINT env) or the mixed workload (ENDPOINT=mixed), spread over many users' tokens.
-- Prints one JSON line at the end: requests, duration, errors, and latency percentiles in microseconds.
local endpoint = os.getenv("ENDPOINT") or "mixed"
local token_file = os.getenv("TOKENS") or "tokens.txt"
local tokens = {}
for line in io.lines(token_file) do
  if #line > 0 then tokens[#tokens + 1] = line end
end

local routes = {
  latest = {"GET", "/api/portfolio/latest"},
  snapshots = {"GET", "/api/portfolio/snapshots?limit=20"},
  positions = {"GET", "/api/trading/positions"},
  metrics = {"GET", "/api/trading/metrics"},
  risk = {"GET", "/api/ai/risk-metrics"},
  order = {"POST", "/api/trading/orders", '{"symbol":"AAPL","side":"buy","quantity":"1","price":"1.00"}'},
  snapshot = {"POST", "/api/portfolio/snapshots",
              '{"holdings":[{"symbol":"AAPL","quantity":"3","price":"190.5"}],"cash":"1000"}'},
  bare = {"GET", "/bare"},
}
-- Mixed: 70% reads, 30% writes, in a fixed rotation of 20 slots.
local mix = {"latest", "latest", "latest", "latest", "snapshots", "snapshots", "snapshots", "positions", "positions",
             "positions", "metrics", "metrics", "risk", "risk", "order", "order", "order", "order", "snapshot",
             "snapshot"}

local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  thread_id = id or 0
  counter = thread_id * 7919
end

function request()
  counter = counter + 1
  local name = endpoint
  if endpoint == "mixed" then name = mix[(counter % #mix) + 1] end
  local route = routes[name]
  local headers = {["Content-Type"] = "application/json"}
  if name ~= "bare" then headers["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1] end
  return wrk.format(route[1], route[2], headers, route[3])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
