-- Appends frames to one project's stream: number, store and publish them in one atomic step.
-- KEYS[1]  meta hash of the project: `epoch`, `seq` (last number given), `commit` (event-log number
--          of the last committed event taken), `fence` (run attempt whose live frames are taken),
--          `size` (bytes of the frames in history), `run` (run_id of the Redis that made the epoch)
-- KEYS[2]  history stream of the project: entry id `<seq>-1`, field `f` (the frame)
-- KEYS[3]  sizes list of the project, aligned with the history: `<seq>:<appended ms>:<bytes>`
-- ARGV[1]  epoch to adopt when a new stream starts
-- ARGV[2]  now, in milliseconds
-- ARGV[3]  keep at least this many frames…
-- ARGV[4]  …and every frame younger than this many milliseconds…
-- ARGV[5]  …but never more than this many bytes of frames
-- ARGV[6]  forget the stream after this many idle seconds
-- ARGV[7]  pub/sub channel of the project (it shares the keys' hash tag, so their cluster slot)
-- ARGV[8]  'PUBLISH' on one Redis server; 'SPUBLISH' on a cluster (sharded pub/sub: only the node
--          that owns the slot delivers it, to its own subscribers)
-- ARGV[9]  'commit': committed events follow; 'restart': the same, in a new stream whatever
--          exists; 'live': live frames follow, taken only if the stream is fenced to ARGV[10]
-- ARGV[10] 'live': the fence; otherwise when the publisher got the batch (Unix seconds, '' unknown)
-- ARGV[11…] 'live': payloads (JSON objects without `seq`); otherwise triples of event-log number,
--          fence change ('' none, else '=' followed by the new fence) and payload
-- Returns  {epoch, seq, commit}; {'behind', commit} if committed events start past the stream's
--          next one (nothing appended); {'fenced'} if live frames are refused (nothing appended)
-- Published messages are `<epoch>\n<frame>`, so a subscriber notices a new epoch at once; those of
-- committed events whose batch has a time are `<epoch> <time>\n<frame>` (the commit-to-tab lag). A
-- stream made by an earlier Redis process (restarted, restored from an older dump, failed over) is
-- not trusted: its numbers may have been given again, so it starts over in a new epoch.

local meta, history, sizes = KEYS[1], KEYS[2], KEYS[3]
local now, min_events, min_age = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local max_bytes, ttl, channel, publish, mode = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7], ARGV[8], ARGV[9]
local run = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')

local state = redis.call('HMGET', meta, 'epoch', 'seq', 'commit', 'fence', 'size', 'run')
local epoch, seq, commit, fence, size = state[1], tonumber(state[2]), tonumber(state[3]), state[4], tonumber(state[5])
local trusted = epoch and state[6] == run and commit

if mode == 'live' then
  if not trusted or fence ~= ARGV[10] or ARGV[10] == '' then
    return {'fenced'}
  end
else
  local first = tonumber(ARGV[11])
  if mode == 'restart' or not trusted then
    epoch, seq, commit, fence, size = ARGV[1], 0, first - 1, '', 0
    redis.call('DEL', history, sizes)
  elseif first > commit + 1 then
    return {'behind', commit}
  end
end

local header = epoch
if mode ~= 'live' and ARGV[10] ~= '' then
  header = epoch .. ' ' .. ARGV[10]
end

local function add(payload)
  seq = seq + 1
  local frame = '{"seq":' .. seq .. ',' .. string.sub(payload, 2)
  redis.call('XADD', history, seq .. '-1', 'f', frame)
  redis.call('RPUSH', sizes, seq .. ':' .. now .. ':' .. #frame)
  redis.call(publish, channel, header .. '\n' .. frame)
  size = size + #frame
end

if mode == 'live' then
  for i = 11, #ARGV do
    add(ARGV[i])
  end
else
  for i = 11, #ARGV, 3 do
    local number = tonumber(ARGV[i])
    if number > commit then  -- one it has already is dropped: publishing may be repeated
      add(ARGV[i + 2])
      commit = number
      if ARGV[i + 1] ~= '' then
        fence = string.sub(ARGV[i + 1], 2)
      end
    end
  end
end

-- Drop the oldest frames past both floors, and past the byte budget whatever the floors. A bounded
-- number per call keeps each call short; keeping more for a while is always allowed.
local length = redis.call('LLEN', sizes)
local cut = nil
for _, entry in ipairs(redis.call('LRANGE', sizes, 0, 63)) do
  local number, at, bytes = string.match(entry, '^(%d+):(%d+):(%d+)$')
  if size > max_bytes or (length > min_events and tonumber(at) <= now - min_age) then
    size, length, cut = size - tonumber(bytes), length - 1, tonumber(number)
  else
    break
  end
end
if cut then
  redis.call('XTRIM', history, 'MINID', (cut + 1) .. '-0')
  redis.call('LTRIM', sizes, redis.call('LLEN', sizes) - length, -1)
end

redis.call('HSET', meta, 'epoch', epoch, 'seq', seq, 'commit', commit, 'fence', fence, 'size', size, 'run', run)
redis.call('EXPIRE', meta, ttl)
redis.call('EXPIRE', history, ttl)
redis.call('EXPIRE', sizes, ttl)
return {epoch, seq, commit}
