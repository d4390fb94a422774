-- Bench load (wrk): a distinct, valid user-context token for every request, built here without signing. The
-- outer token is unsigned (alg none) and wraps one signed actor token, so each request is a new cache entry and a
-- full verification for the gateway. The payload is split so that base64url can be concatenated:
--   base64url(prefix) .. base64url(9 decimal digits) .. base64url(suffix)
-- with prefix and the digits a multiple of 3 bytes long (the parent prepares the encoded prefix and suffix).
-- Arguments after `--`: <file with 2 lines: "<header>.<encoded prefix>" and "<encoded suffix>"> [start index].
local head = ""
local tail = ""
i = 0  -- global: done() reads it from each thread with thread:get("i")
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
local sextets = {}
for k = 1, 64 do sextets[k - 1] = alphabet:sub(k, k) end

local function encode3(a, b, c)
  local n = a * 65536 + b * 256 + c
  return sextets[math.floor(n / 262144)] .. sextets[math.floor(n / 4096) % 64] .. sextets[math.floor(n / 64) % 64] .. sextets[n % 64]
end

local function encodeDigits(value)
  local s = string.format("%09d", value)
  return encode3(s:byte(1, 3)) .. encode3(s:byte(4, 6)) .. encode3(s:byte(7, 9))
end

function setup(thread)
  threads = threads or {}
  table.insert(threads, thread)
end

function init(args)
  local lines = {}
  for line in io.lines(args[1]) do table.insert(lines, line) end
  head = lines[1]
  tail = lines[2]
  i = tonumber(args[2] or "0") or 0
end

function request()
  local token = head .. encodeDigits(i) .. tail .. "."
  i = i + 1
  return wrk.format(nil, nil, { ["Authorization"] = "Bearer " .. token })
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
