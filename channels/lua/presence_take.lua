-- Takes the projects whose presence is due a look (presence.py, RedisPresence.reap), leasing each to
-- the caller: other keepers leave it alone until the lease ends, and take it again then if the
-- caller stopped before settling it (presence_settle.lua).
-- KEYS[1]  sorted set: project id → when its presence is due a look (ms); never later than the
--          earliest expiry of its entries, so no expired entry waits for a look
-- ARGV[1]  now, in ms
-- ARGV[2]  end of the lease, in ms; later than any expiry a join could set meanwhile
-- ARGV[3]  at most this many projects
-- Returns  {project id, …}

local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, project in ipairs(due) do
  redis.call('ZADD', KEYS[1], ARGV[2], project)
end
return due
