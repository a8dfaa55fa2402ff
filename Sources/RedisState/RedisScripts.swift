import Redis

/// The Lua scripts behind the Redis family. Each runs atomically on the server (one decision for all
/// replicas) and reads the time from Redis' own clock (`TIME`), so replicas with skewed clocks still agree on
/// buckets, reservations and the UTC day. Redis 7 replicates a script's effects, so `TIME` is allowed.
public enum RedisScripts {
    /// Every script, for `RedisClient.Settings.scripts` (loaded on each new connection).
    public static var all: [RedisScript] { [admit, settle, charge, history, append, cacheRead, cacheStore, cacheLock] }

    /// The token bucket, then (if it allowed the request and a reservation is asked) the day's budget.
    ///
    /// KEYS[1] the bucket (`<thousandths of tokens>:<ms of the last refill>`), KEYS[2] the budget prefix of the key
    /// (the day is appended here: `…:<day>` a hash of `c`, the tokens committed (used plus held), and per expiry
    /// minute `h:<minute>` the tokens held until then). A request is admitted while the committed tokens are
    /// under the budget: one increment decides it.
    /// ARGV: rate per second (0: no bucket), burst, tokens to reserve (-1: no budget step), daily budget,
    /// reservation lifetime in ms.
    /// Settlements waiting to be sent ride along (one round trip instead of two): KEYS[3…] their budget hashes,
    /// ARGV[6…] their triples, applied first exactly as `settle` does.
    /// Returns {allowed, remaining, wait ms, budget allowed (1/0, -1 not asked), budget remaining, day,
    /// seconds to the next UTC midnight[, the hold's expiry minute]}.
    static let admit = RedisScript(#"""
    \#(settleLoop(firstKey: 3, firstArgument: 6))
    local clock = redis.call('TIME')
    local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
    local rate = tonumber(ARGV[1])
    local burst = tonumber(ARGV[2])
    local allowed, remaining, wait = 1, burst, 0
    if rate > 0 then
      -- The bucket in thousandths of a token, as '<milli-tokens>:<ms>': integers only, so no float formatting.
      local full = burst * 1000
      local milli, stamp = full, now
      local state = redis.call('GET', KEYS[1])
      if state then
        local colon = string.find(state, ':', 1, true)
        milli, stamp = tonumber(string.sub(state, 1, colon - 1)), tonumber(string.sub(state, colon + 1))
      end
      if now > stamp then
        milli = math.min(full, milli + math.floor((now - stamp) * rate))
        stamp = now
      end
      if milli >= 1000 then
        milli = milli - 1000
      else
        allowed = 0
        wait = math.ceil((1000 - milli) / rate)
      end
      remaining = math.floor(milli / 1000)
      redis.call('SET', KEYS[1], milli .. ':' .. stamp, 'PX', math.ceil(burst * 1000 / rate) + 1000)
    end
    local day = math.floor(now / 86400000)
    local untilMidnight = math.ceil(((day + 1) * 86400000 - now) / 1000)
    local reserve = tonumber(ARGV[3])
    if allowed == 0 or reserve < 0 then
      return {allowed, remaining, wait, -1, 0, day, untilMidnight}
    end
    local budgetKey = KEYS[2] .. ':' .. day
    local daily = tonumber(ARGV[4])
    local committed = redis.call('HINCRBY', budgetKey, 'c', reserve)
    if committed - reserve >= daily then
      -- Refused unless holds of dead replicas were in the way: undo, reclaim the minutes that expired, decide again.
      committed = redis.call('HINCRBY', budgetKey, 'c', 0 - reserve)
      local minute = math.floor(now / 60000)
      local fields = redis.call('HGETALL', budgetKey)
      local freed = 0
      for index = 1, #fields, 2 do
        local expiry = string.match(fields[index], '^h:(%d+)$')
        if expiry and tonumber(expiry) < minute then
          freed = freed + tonumber(fields[index + 1])
          redis.call('HDEL', budgetKey, fields[index])
        end
      end
      if freed > 0 then committed = redis.call('HINCRBY', budgetKey, 'c', -freed) end
      if committed >= daily then
        return {allowed, remaining, wait, 0, 0, day, untilMidnight}
      end
      committed = redis.call('HINCRBY', budgetKey, 'c', reserve)
    end
    local before = committed - reserve
    -- The hold also counts under its expiry minute, so it can be reclaimed if its call never settles.
    local expiry = math.ceil((now + tonumber(ARGV[5])) / 60000)
    redis.call('HINCRBY', budgetKey, 'h:' .. expiry, reserve)
    if before == 0 then
      redis.call('EXPIRE', budgetKey, 172800)   -- the day's first hold: the day's key goes two days later
    end
    return {allowed, remaining, wait, 1, daily - before, day, untilMidnight, expiry}
    """#)

    /// Settles a batch of reservations: releases each hold (unless its minute expired and was reclaimed) and
    /// charges what its call used. KEYS: the day's budget hash of each. ARGV: triples of the hold's expiry
    /// minute, the tokens it held, the tokens used.
    static let settle = RedisScript("""
    \(settleLoop(firstKey: 1, firstArgument: 1))
    return #KEYS
    """)

    /// The Lua that settles holds: KEYS from `firstKey` on are the days' budget hashes, ARGV from
    /// `firstArgument` on their triples (the hold's expiry minute, the tokens held, the tokens used). A hold
    /// whose minute was reclaimed (it expired) only charges what was used. (`0 - n`, not `-n`: Lua's -0 would be
    /// written "-0", which HINCRBY refuses.)
    private static func settleLoop(firstKey: Int, firstArgument: Int) -> String {
        """
        for index = \(firstKey), #KEYS do
          local usage, base = KEYS[index], \(firstArgument - 1) + (index - \(firstKey)) * 3
          local field, held, used = 'h:' .. ARGV[base + 1], tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3])
          if redis.call('HEXISTS', usage, field) == 1 then
            if redis.call('HINCRBY', usage, field, 0 - held) <= 0 then redis.call('HDEL', usage, field) end
            if used ~= held then redis.call('HINCRBY', usage, 'c', used - held) end
          elseif used > 0 then
            redis.call('HINCRBY', usage, 'c', used)
          end
        end
        """
    }

    /// Charges tokens to today without a reservation (a task run). KEYS[1] the budget prefix; ARGV: tokens.
    static let charge = RedisScript(#"""
    local clock = redis.call('TIME')
    local day = math.floor(tonumber(clock[1]) / 86400)
    local key = KEYS[1] .. ':' .. day
    redis.call('HINCRBY', key, 'c', tonumber(ARGV[1]))
    redis.call('EXPIRE', key, 172800)
    return 1
    """#)

    /// A conversation's history, refreshing its TTL. KEYS[1] the turns list, KEYS[2] its token total,
    /// KEYS[3] the index of conversations by last use. ARGV: TTL ms, conversation id.
    static let history = RedisScript(#"""
    local turns = redis.call('LRANGE', KEYS[1], 0, -1)
    if #turns > 0 then
      redis.call('PEXPIRE', KEYS[1], ARGV[1])
      redis.call('PEXPIRE', KEYS[2], ARGV[1])
      local clock = redis.call('TIME')
      redis.call('ZADD', KEYS[3], tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000), ARGV[2])
    end
    return turns
    """#)

    /// Appends one turn and prunes whole turns from the oldest while the total passes the budget, always
    /// keeping the newest; refreshes the TTL. KEYS as `history`. ARGV: TTL ms, conversation id, the encoded
    /// turn, its tokens, the history's token budget.
    static let append = RedisScript(#"""
    redis.call('RPUSH', KEYS[1], ARGV[3])
    local total = redis.call('INCRBY', KEYS[2], tonumber(ARGV[4]))
    local limit = tonumber(ARGV[5])
    while total > limit and redis.call('LLEN', KEYS[1]) > 1 do
      local oldest = redis.call('LPOP', KEYS[1])
      total = redis.call('INCRBY', KEYS[2], -tonumber(string.match(oldest, '^(%d+)\n')))
    end
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    redis.call('PEXPIRE', KEYS[2], ARGV[1])
    local clock = redis.call('TIME')
    local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
    redis.call('ZADD', KEYS[3], now, ARGV[2])
    redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[1]))
    return total
    """#)

    /// The cache's read: the stored answer, or the single-flight lock for this caller, or neither (someone
    /// else computes it). KEYS[1] the answer, KEYS[2] the lock. ARGV: this caller's token, lock lifetime ms.
    /// Returns {1, answer} | {2} (lock taken: compute) | {0} (wait).
    static let cacheRead = RedisScript(#"""
    local answer = redis.call('GET', KEYS[1])
    if answer then return {1, answer} end
    if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', tonumber(ARGV[2])) then return {2} end
    return {0}
    """#)

    /// Stores the leader's answer and lets go of its lock. KEYS as `cacheRead`. ARGV: the answer, TTL ms, token.
    static let cacheStore = RedisScript(#"""
    redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
    if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
    return 1
    """#)

    /// Lets go of the lock without an answer (the call failed: failures are never stored), or extends it while
    /// the call runs. KEYS[1] the lock. ARGV: token, and a lifetime ms to extend to (0: release).
    static let cacheLock = RedisScript(#"""
    if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
    if tonumber(ARGV[2]) > 0 then return redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2])) end
    return redis.call('DEL', KEYS[1])
    """#)
}
