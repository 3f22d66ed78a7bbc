-- wrk script for the webhook acknowledgement benchmark.
--
--   wrk -t T -c C -d D --timeout 10s -s bench/wrk_webhook.lua http://127.0.0.1:PORT \
--       -- DATA_FILE PATH T
--
-- DATA_FILE is a Lua data file written by tools/bench_load.py: a chunk that,
-- given add(event_id, webhook_id, hmac, topic, shop, body), calls it once per
-- pre-generated, pre-signed request.  Thread i of T keeps requests i, i+T, ...
-- so that no two threads send the same event; each thread cycles through its
-- share (the Python side sizes the pool so that the ack run never wraps).
-- done() prints one line "BENCHJSON {...}" with the counts and percentiles.

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  local data_file, path, nthreads = args[1], args[2], tonumber(args[3])
  reqs = {}
  local seq = 0
  local function add(event_id, webhook_id, hmac, topic, shop, body)
    if seq % nthreads == tid then
      reqs[#reqs + 1] = wrk.format("POST", path, {
        ["Content-Type"] = "application/json",
        ["X-Shopify-Topic"] = topic,
        ["X-Shopify-Shop-Domain"] = shop,
        ["X-Shopify-Event-Id"] = event_id,
        ["X-Shopify-Webhook-Id"] = webhook_id,
        ["X-Shopify-Triggered-At"] = "2026-11-25T10:00:00.000Z",
        ["X-Shopify-API-Version"] = "2026-01",
        ["X-Shopify-Hmac-Sha256"] = hmac,
      }, body)
    end
    seq = seq + 1
  end
  local chunk = assert(loadfile(data_file))
  chunk(add)
  assert(#reqs > 0, "no request for thread " .. tid)
  cursor = 0
end

function request()
  cursor = cursor + 1
  if cursor > #reqs then
    cursor = 1
  end
  return reqs[cursor]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "mean_us": %.1f, "err_connect": %d, "err_read": %d, "err_write": %d, '
      .. '"err_status": %d, "err_timeout": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout
  ))
end
