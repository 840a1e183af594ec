-- wrk script: refresh-token rotations. Each connection has one request in flight, so a thread holds as many
-- refresh tokens as it has connections: a request takes one from the thread's queue, its response puts the
-- rotated successor back. Tokens come from the file named by TOKENS, one per line; thread i of T gets tokens
-- i, i+T, i+2T, ... Give C + T tokens for C connections: wrk asks each thread for one request it never sends.
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("index", threads)
  thread:set("all", table.concat(tokens, ","))
end

function init(args)
  queue = {}
  local i = 0
  for t in string.gmatch(all, "[^,]+") do
    if i % tonumber(os.getenv("THREADS")) == index - 1 then queue[#queue + 1] = t end
    i = i + 1
  end
end

function request()
  local token = table.remove(queue, 1)
  return wrk.format("POST", "/api/v1/auth/refresh", { ["Content-Type"] = "application/json" },
    '{"refresh_token":"' .. token .. '"}')
end

function response(status, headers, body)
  local fresh = body:match('"refresh_token":"([^"]+)"')
  -- a failure loses its connection's token: wrk counts it (Non-2xx) and stops once a thread has none left
  if status == 200 and fresh then queue[#queue + 1] = fresh end
end
