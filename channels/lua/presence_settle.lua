-- Records what a keeper found in the projects it took (presence_take.lua).
-- KEYS[1]  the sorted set of presence_take.lua
-- ARGV[1]  end of the lease the keeper took them with, in ms
-- ARGV[2…] pairs: project id, earliest expiry left ('' when the project has no entry left)
-- A project with entries is due again at their earliest expiry (or sooner, if a join asked so
-- meanwhile). One without is forgotten, unless a tab joined it since it was taken: the join wrote
-- its entry, then lowered the project's time below the lease, which keeps it.

local due, lease = KEYS[1], tonumber(ARGV[1])
for i = 2, #ARGV, 2 do
  local project, earliest = ARGV[i], ARGV[i + 1]
  if earliest ~= '' then
    redis.call('ZADD', due, 'LT', earliest, project)
  elseif tonumber(redis.call('ZSCORE', due, project)) == lease then
    redis.call('ZREM', due, project)
  end
end
return 0
