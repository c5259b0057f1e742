-- Counts one hit of a rate-limit key in its fixed window (seed: rateLimit.checkRateLimit).
-- KEYS[1]  the window: a hash with fields `hits` and `ends` (ms); it expires when the window ends,
--          which is how Redis cleans up expired windows (seed: resetExpiredRateLimits)
-- ARGV[1]  limit: hits allowed per window
-- ARGV[2]  window length in ms
-- ARGV[3]  now, in ms
-- Returns  {allowed (1 or 0), remaining, ms until the window ends}

local key = KEYS[1]
local limit, window, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])

local hits = tonumber(redis.call('HGET', key, 'hits'))
local ends = tonumber(redis.call('HGET', key, 'ends'))
if not hits or not ends or now >= ends then
  hits, ends = 0, now + window
  redis.call('HSET', key, 'hits', 0, 'ends', ends)
  -- Relative expiry: the key goes when the window ends, whatever clock the caller uses for `now`.
  redis.call('PEXPIRE', key, window)
end

if hits >= limit then
  return {0, 0, ends - now}
end
hits = redis.call('HINCRBY', key, 'hits', 1)
return {1, limit - hits, 0}
