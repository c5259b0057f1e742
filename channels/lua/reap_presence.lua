-- Removes presence entries whose server stopped refreshing them (it crashed or was killed).
-- KEYS[1]  sorted set of every entry: member `<projectId>|<clientId>`, score its expiry (ms)
-- ARGV[1]  now, in ms
-- ARGV[2]  key prefix; a project's clients are in the hash `<prefix>project:<id>:presence`
-- Returns  {{projectId, clientId, clients left in that project}, …}, at most 100 per call

local index, now, prefix = KEYS[1], tonumber(ARGV[1]), ARGV[2]
local expired = redis.call('ZRANGEBYSCORE', index, '-inf', now, 'LIMIT', 0, 100)
local reaped = {}
for _, member in ipairs(expired) do
  local project, client = string.match(member, '^([^|]+)|(.+)$')
  local hash = prefix .. 'project:' .. project .. ':presence'
  redis.call('HDEL', hash, client)
  redis.call('ZREM', index, member)
  reaped[#reaped + 1] = {project, client, redis.call('HLEN', hash)}
end
return reaped
