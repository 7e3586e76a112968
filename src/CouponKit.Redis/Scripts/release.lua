-- CouponKit claim gate: Release (compensation). Idempotent: gives back only a claim key that is still reserved.
-- KEYS[1] stock, KEYS[2] users, KEYS[3] keys; ARGV[1] user id, ARGV[2] claim key
-- Returns 1 when a reservation was given back, 0 otherwise.
if redis.call('SREM', KEYS[3], ARGV[2]) == 0 then
  return 0
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCR', KEYS[1])
end
if redis.call('HINCRBY', KEYS[2], ARGV[1], -1) <= 0 then
  redis.call('HDEL', KEYS[2], ARGV[1])
end
return 1
