import Redis

/// The Lua scripts behind the shared task queue. Each is one atomic step of a task's life on the server, so
/// replicas never see a half-made change: the record, its indexes, the queue entry and the event published
/// about it move together. ARGV[1] is always the key prefix (`<AGENTD_REDIS_PREFIX>tasks:`); the scripts name
/// the keys they touch from it (a task's keys are found from its id), so tasks need one Redis (or one shard of
/// a cluster), as agentd's deployments run it.
///
/// Keys (P = the prefix):
///   P t:<id>           the record, a hash: `in` (the submitted record, journal JSON), `s` status, `a` attempts,
///                      `st`/`ct` started/completed ms, `m` model, `r` result, `e` error, `le` the last retryable
///                      error, `tk` tokens, `w` webhook state (JSON), `o` the replica running it (or delivering
///                      its webhook), `q` its queue entry, `c` client, `k` idempotency slot, `cr` created ms,
///                      `sp` the steps of an agent with tools (a JSON array)
///   P x:<id>           the text the running attempt streamed so far (APPEND)
///   P queue            the stream every replica's workers read (group `workers`, a consumer per replica);
///                      an entry stays pending (unacknowledged) while its task runs or its webhook is delivered
///   P idx:all, P idx:s:<status>, P idx:c:<len>:<client>[:s:<status>]   sorted sets by creation ms (listings)
///   P expiry           finished tasks by completion ms (the retention sweep)
///   P idem:<slot>      an idempotency key's task id (24 h)
///   channels P ev:<id> (the task's events), P cancel (ids to abort wherever they run)
enum RedisTaskScripts {
    static var all: [RedisScript] { [submit, start, renew, reclaim, text, tool, finish, webhook, delete, handBack, sweep, list, read, stats] }

    /// Helpers every script shares (defining them costs microseconds per call; the body is compiled once).
    private static let prelude = #"""
    local P = ARGV[1]
    local function taskKey(id) return P .. 't:' .. id end
    local function clientIndex(client) return P .. 'idx:c:' .. #client .. ':' .. client end
    local function indexAdd(id, client, status, score)
      redis.call('ZADD', P .. 'idx:all', score, id)
      redis.call('ZADD', P .. 'idx:s:' .. status, score, id)
      if client ~= '' then
        redis.call('ZADD', clientIndex(client), score, id)
        redis.call('ZADD', clientIndex(client) .. ':s:' .. status, score, id)
      end
    end
    local function indexMove(id, client, from, to, score)
      if from == to then return end
      redis.call('ZREM', P .. 'idx:s:' .. from, id)
      redis.call('ZADD', P .. 'idx:s:' .. to, score, id)
      if client ~= '' then
        redis.call('ZREM', clientIndex(client) .. ':s:' .. from, id)
        redis.call('ZADD', clientIndex(client) .. ':s:' .. to, score, id)
      end
    end
    local function indexRemove(id, client, status)
      redis.call('ZREM', P .. 'idx:all', id)
      redis.call('ZREM', P .. 'idx:s:' .. status, id)
      if client ~= '' then
        redis.call('ZREM', clientIndex(client), id)
        redis.call('ZREM', clientIndex(client) .. ':s:' .. status, id)
      end
    end
    local function ack(entry)
      if entry and entry ~= '' then
        redis.call('XACK', P .. 'queue', 'workers', entry)
        redis.call('XDEL', P .. 'queue', entry)
      end
    end
    local function publishStatus(id, fields)
      local object = {}
      for i = 1, #fields, 2 do object[fields[i]] = fields[i + 1] end
      redis.call('PUBLISH', P .. 'ev:' .. id, 's|' .. cjson.encode(object))
    end
    local function isFinal(s) return s == 'completed' or s == 'failed' or s == 'cancelled' end
    local function webhookPending(key)
      local w = redis.call('HGET', key, 'w')
      return w and string.find(w, '"state":"pending"', 1, true) ~= nil
    end
    -- Back in the queue under a fresh entry (the old one acknowledged by the caller); a running task is pending again.
    local function requeue(id, key, status, client, created)
      local fresh = redis.call('XADD', P .. 'queue', '*', 'id', id)
      redis.call('HSET', key, 'q', fresh, 'o', '')
      if status == 'running' then
        redis.call('HSET', key, 's', 'pending')
        redis.call('DEL', P .. 'x:' .. id)
        indexMove(id, client, 'running', 'pending', tonumber(created))
        publishStatus(id, redis.call('HGETALL', key))
      end
    end
    local function forget(id, key, status, client, entry, slot)
      indexRemove(id, client, status)
      ack(entry)
      redis.call('DEL', key, P .. 'x:' .. id)
      if slot and slot ~= '' and redis.call('GET', P .. 'idem:' .. slot) == id then redis.call('DEL', P .. 'idem:' .. slot) end
      redis.call('ZREM', P .. 'expiry', id)
    end

    """#

    private static func script(_ body: String) -> RedisScript { RedisScript(prelude + body) }

    /// ARGV: P, id, now, the record's journal JSON, client, idempotency slot (''), its lifetime ms, queue bound,
    /// model, webhook state JSON ('' without a callback).
    /// {0, entry}: stored and queued; {1, fields}: the earlier task of that idempotency key; {2}: the queue is full.
    static let submit = script(#"""
    local id, now, client, slot = ARGV[2], tonumber(ARGV[3]), ARGV[5], ARGV[6]
    if slot ~= '' then
      local earlier = redis.call('GET', P .. 'idem:' .. slot)
      if earlier then
        local fields = redis.call('HGETALL', taskKey(earlier))
        if #fields > 0 then return {1, fields} end
      end
    end
    if redis.call('ZCARD', P .. 'idx:s:pending') >= tonumber(ARGV[8]) then return {2} end
    local entry = redis.call('XADD', P .. 'queue', '*', 'id', id)
    local key = taskKey(id)
    redis.call('HSET', key, 'in', ARGV[4], 's', 'pending', 'a', '0', 'm', ARGV[9], 'q', entry, 'c', client, 'k', slot, 'cr', ARGV[3])
    if ARGV[10] ~= '' then redis.call('HSET', key, 'w', ARGV[10]) end
    indexAdd(id, client, 'pending', now)
    if slot ~= '' then redis.call('SET', P .. 'idem:' .. slot, id, 'PX', ARGV[7]) end
    return {0, entry}
    """#)

    /// A worker took queue entry ARGV[3] for task ARGV[2]. ARGV: P, id, entry, replica, now, max attempts.
    /// {0}: nothing to do (deleted, finished, or queued again under another entry; the entry is acknowledged);
    /// {1, fields}: run it (attempts counted); {2, fields}: it had its attempts, now failed (deliver its webhook
    /// when it has one pending); {3, fields}: finished, its webhook left undelivered: deliver it.
    static let start = script(#"""
    local id, entry, replica, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
    local key = taskKey(id)
    local s, q = unpack(redis.call('HMGET', key, 's', 'q'))
    if not s or q ~= entry then ack(entry); return {0} end
    if isFinal(s) then
      if webhookPending(key) then
        redis.call('HSET', key, 'o', replica)
        return {3, redis.call('HGETALL', key)}
      end
      ack(entry)
      return {0}
    end
    local a, c, cr, le = unpack(redis.call('HMGET', key, 'a', 'c', 'cr', 'le'))
    local attempts = tonumber(a)
    redis.call('DEL', P .. 'x:' .. id)
    if attempts >= tonumber(ARGV[6]) then
      local reason = 'gave up after ' .. attempts .. ' attempts'
      if le and le ~= '' then
        reason = reason .. '; the last failed: ' .. le
      else
        reason = reason .. ': no run ended with a result (their replicas stopped or died)'
      end
      redis.call('HSET', key, 's', 'failed', 'ct', now, 'e', reason, 'o', replica)
      indexMove(id, c, s, 'failed', tonumber(cr))
      local fields = redis.call('HGETALL', key)
      publishStatus(id, fields)
      if not webhookPending(key) then
        ack(entry)
        redis.call('HSET', key, 'o', '')
        redis.call('ZADD', P .. 'expiry', now, id)
      end
      return {2, fields}
    end
    redis.call('HSET', key, 's', 'running', 'a', attempts + 1, 'st', now, 'o', replica)
    redis.call('HDEL', key, 'sp')
    indexMove(id, c, s, 'running', tonumber(cr))
    local fields = redis.call('HGETALL', key)
    publishStatus(id, fields)
    return {1, fields}
    """#)

    /// Renews the leases of what this replica holds: resets each entry's idle time (XCLAIM to itself).
    /// ARGV: P, replica, then pairs of task id and entry. Returns 1 per pair still held, 0 for one that is not
    /// (deleted, or taken over after a lapse): its run is abandoned.
    static let renew = script(#"""
    local out = {}
    for i = 3, #ARGV, 2 do
      local o, q = unpack(redis.call('HMGET', taskKey(ARGV[i]), 'o', 'q'))
      if o == ARGV[2] and q == ARGV[i + 1] then
        redis.call('XCLAIM', P .. 'queue', 'workers', ARGV[2], 0, ARGV[i + 1], 'JUSTID')
        out[#out + 1] = 1
      else
        out[#out + 1] = 0
      end
    end
    return out
    """#)

    /// The janitor: entries idle past the lease (their replica died, stalled, or left a retryable failure to
    /// lapse) go back to the queue under fresh entries, so every replica's reader can take them at once, and
    /// workers never hold slots for claims. ARGV: P, replica, lease ms. Returns {tasks moved, of which taken
    /// over from a replica that held them (the others were waiting out a retryable failure)}.
    static let reclaim = script(#"""
    local claimed = redis.call('XAUTOCLAIM', P .. 'queue', 'workers', ARGV[2], ARGV[3], '0-0', 'COUNT', 100)
    local moved, taken = 0, 0
    for _, item in ipairs(claimed[2]) do
      local entry, fields = item[1], item[2]
      ack(entry)
      local id = fields and fields[2]
      local key = id and taskKey(id)
      local s, q, c, cr = nil, nil, nil, nil
      if key then s, q, c, cr = unpack(redis.call('HMGET', key, 's', 'q', 'c', 'cr')) end
      if s and q == entry then
        requeue(id, key, s, c, cr)
        moved = moved + 1
        if s ~= 'pending' then taken = taken + 1 end
      end
    end
    return {moved, taken}
    """#)

    /// Text the running attempt streamed: appended to the partial text and published, in one step, so a follower
    /// that reads the partial text after subscribing has every piece exactly once (by offset).
    /// ARGV: P, id, replica, attempt, text. Returns the offset it was appended at, or -1 when the run is no
    /// longer this replica's (cancelled, taken over): the caller abandons it.
    static let text = script(#"""
    local id = ARGV[2]
    local s, o, a = unpack(redis.call('HMGET', taskKey(id), 's', 'o', 'a'))
    if s ~= 'running' or o ~= ARGV[3] or a ~= ARGV[4] then return -1 end
    local offset = redis.call('STRLEN', P .. 'x:' .. id)
    redis.call('APPEND', P .. 'x:' .. id, ARGV[5])
    redis.call('PUBLISH', P .. 'ev:' .. id, 't|' .. a .. '|' .. offset .. '|' .. ARGV[5])
    return offset
    """#)

    /// A tool call or result of the running attempt, published in order with its text; a result is also added to
    /// the record's steps (`sp`), so a follower that joins later sees it. ARGV: P, id, replica, attempt, kind
    /// (`tool_call` or `tool_result`), the event's JSON. Returns 1, or -1 when the run is no longer this replica's.
    static let tool = script(#"""
    local id = ARGV[2]
    local key = taskKey(id)
    local s, o, a, sp = unpack(redis.call('HMGET', key, 's', 'o', 'a', 'sp'))
    if s ~= 'running' or o ~= ARGV[3] or a ~= ARGV[4] then return -1 end
    if ARGV[5] == 'tool_result' then
      if not sp or sp == '' then sp = '[' .. ARGV[6] .. ']' else sp = string.sub(sp, 1, -2) .. ',' .. ARGV[6] .. ']' end
      redis.call('HSET', key, 'sp', sp)
    end
    redis.call('PUBLISH', P .. 'ev:' .. id, 'k|' .. a .. '|' .. ARGV[5] .. '|' .. ARGV[6])
    return 1
    """#)

    /// A run ended. ARGV: P, id, replica, attempt, now, status, has result (1/0), result, has error, error, model,
    /// tokens, retryable (1/0), max attempts, the steps as a JSON array ('' for none).
    /// {0}: not this replica's run any more (nothing changed); {1, fields}: stored final (the entry is
    /// acknowledged unless its webhook is pending); {2, fields}: a retryable failure with attempts left: pending
    /// again, its entry left to lapse, so a janitor runs it again after the lease.
    static let finish = script(#"""
    local id, replica, now = ARGV[2], ARGV[3], ARGV[5]
    local key = taskKey(id)
    local s, o, a, c, cr, q = unpack(redis.call('HMGET', key, 's', 'o', 'a', 'c', 'cr', 'q'))
    if s ~= 'running' or o ~= replica or a ~= ARGV[4] then return {0} end
    redis.call('DEL', P .. 'x:' .. id)
    if ARGV[6] == 'failed' and ARGV[13] == '1' and tonumber(a) < tonumber(ARGV[14]) then
      redis.call('HSET', key, 's', 'pending', 'o', '', 'le', ARGV[10], 'm', ARGV[11])
      indexMove(id, c, 'running', 'pending', tonumber(cr))
      local fields = redis.call('HGETALL', key)
      publishStatus(id, fields)
      return {2, fields}
    end
    local error = ARGV[10]
    if ARGV[6] == 'failed' and ARGV[13] == '1' then error = 'gave up after ' .. a .. ' attempts; the last failed: ' .. error end
    redis.call('HSET', key, 's', ARGV[6], 'ct', now, 'm', ARGV[11], 'tk', ARGV[12])
    if ARGV[7] == '1' then redis.call('HSET', key, 'r', ARGV[8]) else redis.call('HDEL', key, 'r') end
    if ARGV[9] == '1' then redis.call('HSET', key, 'e', error) else redis.call('HDEL', key, 'e') end
    if ARGV[15] and ARGV[15] ~= '' then redis.call('HSET', key, 'sp', ARGV[15]) else redis.call('HDEL', key, 'sp') end
    indexMove(id, c, 'running', ARGV[6], tonumber(cr))
    if not webhookPending(key) then
      ack(q)
      redis.call('HSET', key, 'o', '')
      redis.call('ZADD', P .. 'expiry', now, id)
    end
    local fields = redis.call('HGETALL', key)
    publishStatus(id, fields)
    return {1, fields}
    """#)

    /// How the webhook went. ARGV: P, id, webhook state JSON. Once it is no longer pending, the entry is
    /// acknowledged and the task's retention starts. Returns 0 when the task is gone.
    static let webhook = script(#"""
    local id = ARGV[2]
    local key = taskKey(id)
    if redis.call('EXISTS', key) == 0 then return 0 end
    redis.call('HSET', key, 'w', ARGV[3])
    if not webhookPending(key) then
      local q, ct = unpack(redis.call('HMGET', key, 'q', 'ct'))
      ack(q)
      redis.call('HSET', key, 'o', '')
      redis.call('ZADD', P .. 'expiry', tonumber(ct) or 0, id)
    end
    return 1
    """#)

    /// DELETE: a live task is cancelled first (its followers get the final record; the replica running it is
    /// told on `P cancel`), then the task is forgotten. ARGV: P, id, now. {0}: no such task; {1, last fields}.
    static let delete = script(#"""
    local id = ARGV[2]
    local key = taskKey(id)
    local s, o, c, q, k = unpack(redis.call('HMGET', key, 's', 'o', 'c', 'q', 'k'))
    if not s then return {0} end
    if not isFinal(s) then
      redis.call('HSET', key, 's', 'cancelled', 'ct', ARGV[3])
      publishStatus(id, redis.call('HGETALL', key))
      if o and o ~= '' then redis.call('PUBLISH', P .. 'cancel', id) end
    end
    local fields = redis.call('HGETALL', key)
    forget(id, key, s, c, q, k)
    return {1, fields}
    """#)

    /// Shutdown: what this replica still holds goes back to the queue under a fresh entry, so another replica
    /// takes it now rather than after the lease. ARGV: P, replica, pairs of task id and entry. Returns how many.
    static let handBack = script(#"""
    local n = 0
    for i = 3, #ARGV, 2 do
      local id, entry = ARGV[i], ARGV[i + 1]
      local key = taskKey(id)
      local s, o, q, c, cr = unpack(redis.call('HMGET', key, 's', 'o', 'q', 'c', 'cr'))
      if o == ARGV[2] and q == entry then
        ack(entry)
        requeue(id, key, s, c, cr)
        n = n + 1
      end
    end
    return n
    """#)

    /// Forgets finished tasks whose retention ended. ARGV: P, cutoff ms. Returns how many (at most 500 a call).
    static let sweep = script(#"""
    local ids = redis.call('ZRANGEBYSCORE', P .. 'expiry', '-inf', ARGV[2], 'LIMIT', 0, 500)
    for _, id in ipairs(ids) do
      local key = taskKey(id)
      local s, c, q, k = unpack(redis.call('HMGET', key, 's', 'c', 'q', 'k'))
      if s then forget(id, key, s, c, q, k) else redis.call('ZREM', P .. 'expiry', id) end
    end
    return #ids
    """#)

    /// Newest first from one index. ARGV: P, the index's name after the prefix, limit. An array of field lists.
    static let list = script(#"""
    local ids = redis.call('ZREVRANGE', P .. ARGV[2], 0, tonumber(ARGV[3]) - 1)
    local out = {}
    for _, id in ipairs(ids) do
      local fields = redis.call('HGETALL', taskKey(id))
      if #fields > 0 then out[#out + 1] = fields end
    end
    return out
    """#)

    /// One task and the text its running attempt streamed so far. ARGV: P, id. {} when there is no such task.
    static let read = script(#"""
    local fields = redis.call('HGETALL', taskKey(ARGV[2]))
    if #fields == 0 then return {} end
    return {fields, redis.call('GET', P .. 'x:' .. ARGV[2]) or ''}
    """#)

    /// The counts of every replica: pending, running, completed, failed, cancelled, then the oldest pending
    /// task's creation ms (-1: none). ARGV: P.
    static let stats = script(#"""
    local out = {}
    for _, s in ipairs({'pending', 'running', 'completed', 'failed', 'cancelled'}) do
      out[#out + 1] = redis.call('ZCARD', P .. 'idx:s:' .. s)
    end
    local oldest = redis.call('ZRANGE', P .. 'idx:s:pending', 0, 0, 'WITHSCORES')
    out[#out + 1] = tonumber(oldest[2] or '-1')
    return out
    """#)
}
