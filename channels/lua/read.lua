-- Reads one project's stream: its epoch, last seq, and the events after a given seq.
-- KEYS[1]  meta hash of the project: fields `seq` and `epoch` (see append.lua)
-- KEYS[2]  history stream of the project: entry id `<seq>-1`, fields `f` (frame) and `t` (ms)
-- ARGV[1]  epoch to adopt if the meta hash is missing: a project without a stream gets one now,
--          so that a hello and the next append agree on the epoch
-- ARGV[2]  forget the stream after this many idle seconds (as append.lua)
-- ARGV[3]  since: return the events with a greater seq; "" returns none
-- Returns  {epoch, seq, complete (1 or 0), frame1, frame2, …}; complete means the history still
--          held the event right after `since` (or there was nothing after it)

local meta, history = KEYS[1], KEYS[2]
local ttl = tonumber(ARGV[2])

local epoch = redis.call('HGET', meta, 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', history)
  redis.call('HSET', meta, 'epoch', epoch, 'seq', 0)
  redis.call('EXPIRE', meta, ttl)
end
local seq = tonumber(redis.call('HGET', meta, 'seq'))

local result = {epoch, seq, 1}
if ARGV[3] == '' then
  return result
end
local since = tonumber(ARGV[3])
if since > seq then
  result[3] = 0
  return result
end
if since == seq then
  return result
end
local entries = redis.call('XRANGE', history, '(' .. since .. '-1', '+')
if #entries == 0 or tonumber(string.match(entries[1][1], '^(%d+)')) ~= since + 1 then
  result[3] = 0
end
for i = 1, #entries do
  result[#result + 1] = entries[i][2][2]
end
return result
