-- CouponKit claim gate: TryReserve. Atomic: runs whole or not at all on the node that owns the template's hash slot.
-- KEYS[1] stock (integer string), KEYS[2] users (hash user -> count), KEYS[3] keys (set of reserved claim keys)
-- ARGV[1] user id, ARGV[2] per-user limit, ARGV[3] claim key
-- Returns { status, remaining }: 0 Reserved, 1 AlreadyReserved, 2 SoldOut, 3 LimitReached, 4 NotWarmedUp
local stock = redis.call('GET', KEYS[1])
if not stock then
  return { 4, 0 }
end
stock = tonumber(stock)
if redis.call('SISMEMBER', KEYS[3], ARGV[3]) == 1 then
  return { 1, stock }
end
local held = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if held >= tonumber(ARGV[2]) then
  return { 3, stock }
end
if stock <= 0 then
  return { 2, 0 }
end
stock = redis.call('DECR', KEYS[1])
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('SADD', KEYS[3], ARGV[3])
return { 0, stock }
