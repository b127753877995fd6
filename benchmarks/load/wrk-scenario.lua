-- wrk script for db-pool's load benchmarks (benchmarks/load/run.sh).
--
-- Arguments after `--` on wrk's command line:
--   keylookup <max-id>                  GET /customers/<random 1..max-id>
--   slowmix <max-id> <percent> <hold>   <percent> % GET /work?holdMs=<hold>, the rest as keylookup
--   ping                                GET /ping (no database: the HTTP ceiling)
--   dbwork <loops>                      GET /work/compute?loops=<loops>: one query that burns server CPU
--                                       (count(*) over generate_series(1, loops); benchmarks/sizing/run.sh)
--   readmix <max-id> <read-percent>     <read-percent> % GET /customers/<id>/order-summary (a read-only
--                                       transaction), the rest POST /orders of 1.00 for a random customer;
--                                       chosen by request count, so the writes are spread evenly
--                                       (benchmarks/replicas/run.sh). Reads answer 200, writes 201.
-- The environment variable WRK_JSON_OUT names the file done() writes the summary to, as JSON:
-- requests, errors by kind, latency (microseconds) and the count of each HTTP status.
-- Every mode builds its requests in request(), so the client does the same work in each.

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1] or "keylookup"
  max_id = tonumber(args[2] or "50000")
  slow_percent = tonumber(args[3] or "10")
  hold_ms = tonumber(args[4] or "200")
  -- readmix: its third argument is the share of reads.
  read_percent = tonumber(args[3] or "90")
  -- dbwork: its second argument is the loops of each query.
  compute_path = "/work/compute?loops=" .. (args[2] or "60000")
  sent = 0
  statuses = {}
  -- A fixed seed per thread: the same run sends the same sequence of ids.
  math.randomseed(4242 + thread_id)
end

function request()
  if mode == "ping" then
    return wrk.format("GET", "/ping")
  end
  if mode == "dbwork" then
    return wrk.format("GET", compute_path)
  end
  if mode == "readmix" then
    sent = sent + 1
    -- A write whenever the count of writes due, (100 - read_percent) per 100, goes up by one.
    local writes = 100 - read_percent
    if math.floor(sent * writes / 100) > math.floor((sent - 1) * writes / 100) then
      return wrk.format("POST", "/orders", { ["Content-Type"] = "application/json" },
        string.format('{"customerId": %d, "amount": 1.00}', math.random(max_id)))
    end
    return wrk.format("GET", "/customers/" .. math.random(max_id) .. "/order-summary")
  end
  if mode == "slowmix" and math.random(100) <= slow_percent then
    return wrk.format("GET", "/work?holdMs=" .. hold_ms)
  end
  return wrk.format("GET", "/customers/" .. math.random(max_id))
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local per_thread = thread:get("statuses") or {}
    for status, count in pairs(per_thread) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  local status_json = {}
  for status, count in pairs(counts) do
    table.insert(status_json, string.format('"%d":%d', status, count))
  end
  -- done() runs in wrk's main Lua state, where init() never ran: ask a thread for the mode.
  local mode = threads[1] and threads[1]:get("mode") or "unknown"
  local e = summary.errors
  local json = string.format(
    '{"mode":"%s","duration_us":%d,"requests":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"stdev":%.1f,"max":%d,"p50":%d,"p75":%d,"p90":%d,"p95":%d,"p99":%d,"p99_9":%d},' ..
    '"statuses":{%s}}\n',
    mode, summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency:percentile(99.9),
    table.concat(status_json, ","))
  local out = os.getenv("WRK_JSON_OUT")
  if out and out ~= "" then
    local file = assert(io.open(out, "w"))
    file:write(json)
    file:close()
  else
    io.write(json)
  end
end
