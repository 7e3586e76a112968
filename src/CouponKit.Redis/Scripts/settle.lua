-- CouponKit pending claims: settle a claim still pending (compare-and-set on its state).
-- KEYS[1] the claim (hash: t template, u user, l limit, c channel, a accepted at (ms since the Unix epoch), s state, r rejection)
-- ARGV[1] the final state (Issued, Rejected or Failed), ARGV[2] the rejection ('' for none)
-- Returns { 1, template id } when settled, { 0 } when unknown or settled before.
if redis.call('HGET', KEYS[1], 's') ~= 'Pending' then
  return { 0 }
end
redis.call('HSET', KEYS[1], 's', ARGV[1], 'r', ARGV[2])
return { 1, redis.call('HGET', KEYS[1], 't') }
