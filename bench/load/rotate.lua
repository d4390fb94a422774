-- Bench load (wrk): rotate through a pool of bearer tokens read from a file, one token per line, so every
-- request of a scenario carries the next token of its pool. Requests are formatted once in init(), so the load
-- generator spends no time building them. Arguments after `--`: <tokens file> [start index].
-- An empty file means no Authorization header at all. An optional third argument names a file of `Name: value`
-- lines sent with every request as well (--client-head).
local requests = {}
local extra = {}
local count = 0
i = 0  -- global: done() reads it from each thread with thread:get("i")

function setup(thread)
  threads = threads or {}
  table.insert(threads, thread)
end

local function head(authorization)
  local headers = {}
  for name, value in pairs(extra) do headers[name] = value end
  if authorization ~= nil then headers["Authorization"] = authorization end
  return headers
end

function init(args)
  local file = args[1]
  i = tonumber(args[2] or "0") or 0
  extra = {}
  if args[3] ~= nil then
    for line in io.lines(args[3]) do
      local name, value = line:match("^([^:]+):%s*(.*)$")
      if name ~= nil then extra[name] = value end
    end
  end
  for line in io.lines(file) do
    if line ~= "" then
      count = count + 1
      requests[count] = wrk.format(nil, nil, head("Bearer " .. line))
    end
  end
  if count == 0 then
    count = 1
    requests[1] = wrk.format(nil, nil, head(nil))
  end
end

function request()
  local r = requests[(i % count) + 1]
  i = i + 1
  return r
end

function done(summary, latency, requests)
  local sent = 0
  for _, thread in ipairs(threads or {}) do
    sent = sent + (thread:get("i") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"bytes":%d,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"statusErrors":%d,"timeouts":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d,"meanUs":%.1f,"sent":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean, sent))
end
