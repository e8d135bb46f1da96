-- wrk script: one endpoint (ENDPOINT env) or the mixed workload (ENDPOINT=mixed), spread over many users' tokens.
-- Prints one JSON line at the end: requests, duration, errors, and latency percentiles in microseconds.
--
-- Optional, both off unless their variable is set (so the closed-loop runs are what they always were):
--   THINK_MS=250  paced mode: each connection waits a random think time (exponential, this mean, in ms, capped
--                 at 4 s) after every answer before it sends its next request (wrk's delay() hook). wrk would
--                 delay each connection's first request too; CONNECTIONS_PER_THREAD makes the first that many
--                 delays of each thread 0, so every connection sends its first request at once (a burst, which
--                 WARMUP_S leaves out) instead of sitting open and silent: gunicorn's gthread worker gives a new
--                 connection a thread that waits for its first bytes (up to 5 s), and 25 silent connections
--                 per worker stall the others for seconds.
--   SPLIT=1       client-side latency per route: every request carries an X-Request-ID, which the app echoes;
--                 response() matches it and times the request with a monotonic clock (LuaJIT FFI), from the
--                 moment wrk builds the request to the moment the answer is parsed, the same span wrk measures.
--                 Requests sent in the first WARMUP_S seconds of each thread are left out. Each answer is printed
--                 as one line, WRKLAT <route> <microseconds> <status> <request id>, for bench/run.py to
--                 summarize. (The lines go to stdout as they come: wrk 4.1's thread:get cannot copy a nested
--                 table back to done().)
local endpoint = os.getenv("ENDPOINT") or "mixed"
local token_file = os.getenv("TOKENS") or "tokens.txt"
local think_ms = tonumber(os.getenv("THINK_MS") or "0") or 0
local undelayed = tonumber(os.getenv("CONNECTIONS_PER_THREAD") or "0") or 0
-- Under gunicorn's keepalive (5 s): a connection idle longer is closed, wrk reconnects at once and the new
-- connection sits silent in a gthread thread until its think time is over.
local max_think_ms = 4000
local split = os.getenv("SPLIT") == "1"
local warmup_us = (tonumber(os.getenv("WARMUP_S") or "0") or 0) * 1e6
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

-- Monotonic wall clock in microseconds (wrk's Lua API has none; os.clock() is CPU time).
local now_us
if split then
  local ffi = require("ffi")
  ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clock_id, bench_timespec *tp);
  ]]
  local ts = ffi.new("bench_timespec")
  now_us = function()
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
  end
end

-- Requests in flight, by the X-Request-ID they carry.
local pending_route = {}  -- request id -> route
local pending_start = {}  -- request id -> start (us); nil when it was sent during the warm-up
local measure_from = nil

function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  thread_id = id or 0
  counter = thread_id * 7919
  math.randomseed(os.time() + thread_id * 104729)
end

function request()
  counter = counter + 1
  local name = endpoint
  if endpoint == "mixed" then name = mix[(counter % #mix) + 1] end
  local route = routes[name]
  local headers = {["Content-Type"] = "application/json"}
  if name ~= "bare" then headers["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1] end
  if split then
    local now = now_us()
    if measure_from == nil then measure_from = now + warmup_us end
    local rid = "bench-" .. thread_id .. "-" .. counter
    headers["X-Request-ID"] = rid
    pending_route[rid] = name
    if now >= measure_from then pending_start[rid] = now end
  end
  return wrk.format(route[1], route[2], headers, route[3])
end

if think_ms > 0 then
  function delay()
    if undelayed > 0 then  -- a connection's first request (see CONNECTIONS_PER_THREAD above)
      undelayed = undelayed - 1
      return 0
    end
    -- Exponential think time: independent connections then add up to roughly Poisson arrivals,
    -- instead of 100 connections that stay in step after the burst at start.
    return math.min(-math.log(1 - math.random()) * think_ms, max_think_ms)
  end
end

if split then
  function response(status, headers, body)
    local rid = headers["X-Request-ID"] or headers["x-request-id"]
    if rid == nil then return end
    local name, started = pending_route[rid], pending_start[rid]
    pending_route[rid], pending_start[rid] = nil, nil
    if name == nil or started == nil then return end
    -- One string per write: stdio locks each fwrite, so lines of the two threads never interleave.
    io.write(string.format("WRKLAT %s %d %d %s\n", name, now_us() - started, status, rid))
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
