-- Reads one project's stream: its epoch, last seq and commit, and the frames after a given seq.
-- KEYS[1]  meta hash of the project (see append.lua)
-- KEYS[2]  history stream of the project: entry id `<seq>-1`, field `f` (the frame)
-- ARGV[1]  since: return the frames with a greater seq; "" returns none
-- Returns  {epoch, seq, commit, complete (1 or 0), frame1, frame2, …}; epoch '' when there is no
--          stream this Redis process can vouch for (see append.lua); complete means the history
--          still held the frame right after `since` (or there was nothing after it)

local meta, history = KEYS[1], KEYS[2]
local run = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
local state = redis.call('HMGET', meta, 'epoch', 'seq', 'commit', 'run')
if not state[1] or state[4] ~= run or not state[3] then
  return {'', 0, 0, 0}
end
local seq = tonumber(state[2])

local result = {state[1], seq, tonumber(state[3]), 1}
if ARGV[1] == '' then
  return result
end
local since = tonumber(ARGV[1])
if since > seq then
  result[4] = 0
  return result
end
if since == seq then
  return result
end
local entries = redis.call('XRANGE', history, '(' .. since .. '-1', '+')
if #entries == 0 or tonumber(string.match(entries[1][1], '^(%d+)')) ~= since + 1 then
  result[4] = 0
end
for i = 1, #entries do
  result[#result + 1] = entries[i][2][2]
end
return result
