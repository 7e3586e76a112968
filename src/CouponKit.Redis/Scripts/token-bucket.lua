-- CouponKit rate limiter: one token bucket per key, refilled evenly (PermitLimit tokens per Window).
-- KEYS[1] the bucket (hash: t = tokens, a = time of the last update in microseconds since the Unix epoch)
-- ARGV[1] now (microseconds since the Unix epoch, from the caller's TimeProvider), ARGV[2] permit limit,
-- ARGV[3] window (microseconds), ARGV[4] time to live of the key (milliseconds)
-- Returns { allowed (1 or 0), microseconds until a token is free }
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local bucket = redis.call('HMGET', KEYS[1], 't', 'a')
local tokens = tonumber(bucket[1])
local at = tonumber(bucket[2])
local stamp = ARGV[1]
if tokens == nil or at == nil then
  tokens = limit
  at = now
end
if now > at then
  tokens = math.min(limit, tokens + (now - at) * limit / window)
else
  -- a clock behind the last update (another instance's skew) refills nothing and does not move the stamp back
  stamp = bucket[2] or ARGV[1]
end
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) * window / limit)
end
redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 'a', stamp)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return { allowed, wait }
