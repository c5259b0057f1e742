-- Appends events to one project's stream: number, store and publish them in one atomic step.
-- KEYS[1]  meta hash of the project: fields `seq` (last number given) and `epoch`
-- KEYS[2]  history stream of the project: entry id `<seq>-1`, fields `f` (frame) and `t` (ms)
-- ARGV[1]  epoch to adopt if the meta hash is missing (a new stream, or history was lost)
-- ARGV[2]  now, in milliseconds
-- ARGV[3]  keep at least this many events
-- ARGV[4]  keep at least the events younger than this many milliseconds
-- ARGV[5]  forget the stream after this many idle seconds
-- ARGV[6]  pub/sub channel of the project
-- ARGV[7…] payloads: JSON objects without `seq`
-- Returns  {epoch, frame1, frame2, …}
-- Published messages are `<epoch>\n<frame>`, so a subscriber notices a lost history at once.

local meta, history = KEYS[1], KEYS[2]
local now, min_events, min_age = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local ttl, channel = tonumber(ARGV[5]), ARGV[6]

local epoch = redis.call('HGET', meta, 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', history)
  redis.call('HSET', meta, 'epoch', epoch, 'seq', 0)
end

local result = {epoch}
for i = 7, #ARGV do
  local seq = redis.call('HINCRBY', meta, 'seq', 1)
  local frame = '{"seq":' .. seq .. ',' .. string.sub(ARGV[i], 2)
  redis.call('XADD', history, seq .. '-1', 'f', frame, 't', now)
  redis.call('PUBLISH', channel, epoch .. '\n' .. frame)
  result[#result + 1] = frame
end

-- Drop the oldest events only past both floors; a bounded number per call keeps each call short,
-- and keeping more than the floors is always allowed.
local length = redis.call('XLEN', history)
local budget = 64
while length > min_events and budget > 0 do
  local oldest = redis.call('XRANGE', history, '-', '+', 'COUNT', 1)[1]
  local appended_at = tonumber(oldest[2][4])
  if appended_at > now - min_age then break end
  redis.call('XDEL', history, oldest[1])
  length = length - 1
  budget = budget - 1
end

redis.call('EXPIRE', meta, ttl)
redis.call('EXPIRE', history, ttl)
return result
