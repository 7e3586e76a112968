-- CouponKit template cache: compare-and-set on the template's version. Never moves an entry backwards.
-- KEYS[1] the entry (hash: v = version, d = template JSON)
-- ARGV[1] version (integer), ARGV[2] template JSON, ARGV[3] time to live (milliseconds; 0 = none)
-- Returns 1 when written, 0 when the entry already holds this version or a newer one.
local current = tonumber(redis.call('HGET', KEYS[1], 'v'))
if current and current >= tonumber(ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'd', ARGV[2])
if tonumber(ARGV[3]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
else
  redis.call('PERSIST', KEYS[1])
end
return 1
