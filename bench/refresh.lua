-- wrk script: every connection rotates its own refresh token chain (one request in flight per connection).
-- Tokens come from the file named by TOKENS, one per line, one per thread.
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local next_thread = 1

function setup(thread)
  thread:set("token", tokens[next_thread])
  next_thread = next_thread + 1
end

function request()
  return wrk.format("POST", "/api/v1/auth/refresh", { ["Content-Type"] = "application/json" },
    '{"refresh_token":"' .. token .. '"}')
end

function response(status, headers, body)
  local fresh = body:match('"refresh_token":"([^"]+)"')
  if status == 200 and fresh then token = fresh else failures = (failures or 0) + 1 end
end
