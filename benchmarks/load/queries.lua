-- wrk script for the ofsearchd load benchmark: cycles through a file of queries (one a line,
-- passed after `--`), each as GET /api/search?q=... (or, with a second argument `suggest`,
-- GET /api/suggest?q=...; with `meili`, Meilisearch's POST /indexes/all/search with the same
-- query and page), and prints the figures run.sh reads.
local paths = {}
local bodies = {}
local i = 0

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local nthreads = 0
function setup(thread)
  thread:set("id", nthreads)
  nthreads = nthreads + 1
end

function init(args)
  -- args[2] == "suggest": the lines are as-you-type prefixes for /api/suggest.
  local suggest = args[2] == "suggest"
  local meili = args[2] == "meili"
  for line in io.lines(args[1]) do
    if #line > 0 then
      if meili then
        paths[#paths + 1] = "/indexes/all/search"
        bodies[#paths] = '{"q":"' .. line:gsub('[\\"]', '\\%0') .. '","limit":10}'
      elseif suggest then
        paths[#paths + 1] = "/api/suggest?q=" .. urlencode(line)
      else
        paths[#paths + 1] = "/api/search?q=" .. urlencode(line) .. "&limit=10"
      end
    end
  end
  -- Threads start at different points so they do not ask the same queries in lockstep.
  i = ((id or 0) * 499) % #paths
end

local post_headers = {["Content-Type"] = "application/json"}

function request()
  i = i % #paths + 1
  if bodies[i] then
    return wrk.format("POST", paths[i], post_headers, bodies[i])
  end
  return wrk.format("GET", paths[i])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("LOAD requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f " ..
                         "max_ms=%.3f errors_connect=%d errors_read=%d errors_write=%d " ..
                         "errors_status=%d errors_timeout=%d\n",
                         summary.requests, summary.duration / 1e6,
                         summary.requests / (summary.duration / 1e6),
                         latency:percentile(50) / 1000, latency:percentile(90) / 1000,
                         latency:percentile(99) / 1000, latency.max / 1000,
                         e.connect, e.read, e.write, e.status, e.timeout))
end
