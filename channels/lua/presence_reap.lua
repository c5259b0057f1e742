-- Removes one project's presence entries whose server stopped refreshing them (it crashed or was
-- killed).
-- KEYS[1]  hash of the project's clients: client id → presence entry
-- KEYS[2]  sorted set of the project's clients by expiry (ms)
-- ARGV[1]  now, in ms
-- ARGV[2]  at most this many entries (the rest are due at once, see presence_settle.lua)
-- Returns  {earliest expiry left ('' if no entry is left), client id, clients left after it, …}

local clients, expiries = KEYS[1], KEYS[2]
local expired = redis.call('ZRANGEBYSCORE', expiries, '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local result = {''}
for _, client in ipairs(expired) do
  redis.call('HDEL', clients, client)
  redis.call('ZREM', expiries, client)
  result[#result + 1] = client
  result[#result + 1] = redis.call('HLEN', clients)
end
local earliest = redis.call('ZRANGE', expiries, 0, 0, 'WITHSCORES')
if earliest[2] then
  result[1] = earliest[2]
end
return result
