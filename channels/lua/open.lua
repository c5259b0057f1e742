-- Opens one project's stream: the one there is, or a new one if this Redis process cannot vouch for
-- it (see append.lua), so that a hello and the next append agree on the epoch.
-- KEYS[1]  meta hash of the project (see append.lua)
-- KEYS[2]  history stream of the project
-- KEYS[3]  sizes list of the project
-- ARGV[1]  epoch to adopt for a new stream
-- ARGV[2]  event-log number of the last committed event a new stream starts after
-- ARGV[3]  forget the stream after this many idle seconds
-- Returns  {epoch, seq, commit}

local meta, history, sizes = KEYS[1], KEYS[2], KEYS[3]
local run = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
local state = redis.call('HMGET', meta, 'epoch', 'seq', 'commit', 'run')
if state[1] and state[4] == run and state[3] then
  return {state[1], tonumber(state[2]), tonumber(state[3])}
end
redis.call('DEL', history, sizes)
redis.call('HSET', meta, 'epoch', ARGV[1], 'seq', 0, 'commit', ARGV[2], 'fence', '', 'size', 0, 'run', run)
redis.call('EXPIRE', meta, tonumber(ARGV[3]))
return {ARGV[1], 0, tonumber(ARGV[2])}
