-- CouponKit pending claims: record a claim the gate accepted, once (a second add changes nothing).
-- KEYS[1] the claim (hash, see settle.lua); ARGV[1] template, ARGV[2] user, ARGV[3] limit, ARGV[4] channel,
-- ARGV[5] accepted at (ms since the Unix epoch), ARGV[6] time to live (ms)
-- Returns 1 when recorded, 0 when the claim existed.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 't', ARGV[1], 'u', ARGV[2], 'l', ARGV[3], 'c', ARGV[4], 'a', ARGV[5], 's', 'Pending', 'r', '')
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 1
