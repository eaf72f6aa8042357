package io.reactivecache.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The server-side scripts. Each runs atomically in Redis, which is what lets several application instances share
 * one view of tags and of the LRU / LFU order: no process keeps bookkeeping of its own. An entry and its place in
 * the LRU / LFU order change in one script, never in two round trips: another instance's write in between would
 * otherwise be undone (a fresh key dropped from the order, the bound exceeded).
 *
 * <p>Keys, for Redis Cluster: every script declares in {@code KEYS} the keys it is given, and all of them share
 * one hash slot (see {@link RedisKeyLayout}): an entry alone, or under {@code lru} / {@code lfu} the namespace's
 * one slot. One access is not declared: {@link #PUT} evicts LRU / LFU victims, whose names it reads from the order
 * inside the script. They are in the namespace's slot by construction (only {@link #PUT} adds members, all of the
 * namespace), so Redis Cluster runs it on the one master owning them. Evicting in a second, declared step was the
 * alternative, and was refused: between the steps the namespace would hold more entries than its bound, and a
 * failure between them would leave entries outside the order, never evicted again.
 *
 * <p>Tags are not in the entry's script: under {@code ttl} a tag set lives in another slot than the entry. The
 * backend adds the entry to its tag sets ({@link #TAG_ADD}, a command on each tag set's slot) before it writes the
 * entry, so any tag invalidation that starts after the write completed finds it. A tag set may therefore hold stale
 * members (an entry deleted, or written again without the tag) without harm: scripts read an envelope's key and
 * tags straight from its binary header (see {@link EnvelopeCodec}), and {@link #INVALIDATE_MEMBERS} removes only
 * the entries that still carry the tag.
 */
final class LuaScripts {

  /** A script with its SHA-1, for EVALSHA. */
  record Script(String name, byte[] body, String sha) {
    static Script of(String name, String body) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      try {
        return new Script(name, bytes, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes)));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-1 is required by the Java platform", e);
      }
    }
  }

  private static final String TAGS_OF = """
      local function u32(s, p)
        local a, b, c, d = string.byte(s, p, p + 3)
        return ((a * 256 + b) * 256 + c) * 256 + d
      end
      local function tags_of(v)
        if type(v) ~= 'string' or #v < 36 or string.sub(v, 1, 2) ~= 'RC'
            or (string.byte(v, 3) ~= 1 and string.byte(v, 3) ~= 2) then
          return {}
        end
        local p = 29
        local klen = u32(v, p)
        p = p + 4 + klen
        if #v < p + 3 then return {} end
        local n = u32(v, p)
        p = p + 4
        local tags = {}
        for i = 1, n do
          if #v < p + 3 then return tags end
          local l = u32(v, p)
          p = p + 4
          tags[i] = string.sub(v, p, p + l - 1)
          p = p + l
        end
        return tags
      end
      """;

  /*
   * Access bookkeeping for LRU / LFU. The score of an LRU member is the namespace's access sequence number, so
   * order is global and independent of any client's clock. An LFU score packs the access count (high bits, capped)
   * above the sequence number modulo 2^32 (low bits): lowest count first, least recently used among equals.
   */
  private static final String TOUCH = """
      local function touch(zset, seqkey, strategy, member)
        local seq = redis.call('INCR', seqkey)
        if strategy == 'lru' then
          redis.call('ZADD', zset, seq, member)
        else
          local cur = redis.call('ZSCORE', zset, member)
          local count = 0
          if cur then count = math.floor(tonumber(cur) / 4294967296) end
          if count < 1048575 then count = count + 1 end
          redis.call('ZADD', zset, string.format('%.0f', count * 4294967296 + (seq % 4294967296)), member)
        end
      end
      """;

  /**
   * KEYS: a tag set; ARGV: a stored entry name, its ttl ms (0 = never). Adds the entry to the set and keeps the
   * set at least as long as the entry: without expiry if the entry has none, else extended to the entry's expiry.
   */
  static final Script TAG_ADD = Script.of("tagAdd", """
      local ts = KEYS[1]
      local ttl = tonumber(ARGV[2])
      local existed = redis.call('EXISTS', ts)
      redis.call('SADD', ts, ARGV[1])
      if ttl <= 0 then
        redis.call('PERSIST', ts)
      elseif existed == 0 then
        redis.call('PEXPIRE', ts, ttl)
      else
        local cur = redis.call('PTTL', ts)
        if cur >= 0 and cur < ttl then redis.call('PEXPIRE', ts, ttl) end
      end
      return 1
      """);

  /**
   * KEYS: entry, access set, sequence (one slot); ARGV: envelope, ttl ms (0 = never), strategy id, maximum size.
   * Writes an entry of an {@code lru} / {@code lfu} namespace, records the access and evicts the lowest-scored
   * entries (never the one written) while the order holds more than the maximum. Returns the number evicted.
   */
  static final Script PUT = Script.of("put", TOUCH + """
      local key = KEYS[1]
      local ttl = tonumber(ARGV[2])
      if ttl > 0 then
        redis.call('SET', key, ARGV[1], 'PX', ttl)
      else
        redis.call('SET', key, ARGV[1])
      end
      local zset = KEYS[2]
      touch(zset, KEYS[3], ARGV[3], key)
      local max = tonumber(ARGV[4])
      local evicted = 0
      while redis.call('ZCARD', zset) > max do
        local lowest = redis.call('ZRANGE', zset, 0, 1)
        local victim = lowest[1]
        if victim == key then victim = lowest[2] end
        redis.call('ZREM', zset, victim)
        evicted = evicted + redis.call('UNLINK', victim)
      end
      return evicted
      """);

  /**
   * KEYS: access set, sequence, entries...; ARGV: strategy id. Returns the values in order (nil for a miss),
   * recording an access for each hit and forgetting members whose entry is gone.
   */
  static final Script GET_TOUCH = Script.of("get", TOUCH + """
      local out = {}
      for i = 3, #KEYS do
        local v = redis.call('GET', KEYS[i])
        if v then
          touch(KEYS[1], KEYS[2], ARGV[1], KEYS[i])
        else
          redis.call('ZREM', KEYS[1], KEYS[i])
        end
        out[i - 2] = v
      end
      return out
      """);

  /**
   * KEYS: [access set] [tag set] members... (one slot); ARGV: tag, index of the first member, index of the access
   * set (0: none), index of the tag set (0: none). Removes each member entry whose envelope still carries the tag,
   * and its place in the order; with the tag set declared (it shares the members' slot) also removes every given
   * member from the set, in the same step. Returns the number of entries removed.
   */
  static final Script INVALIDATE_MEMBERS = Script.of("invalidateMembers", TAGS_OF + """
      local first = tonumber(ARGV[2])
      local order = tonumber(ARGV[3])
      local set = tonumber(ARGV[4])
      local removed = 0
      for i = first, #KEYS do
        local k = KEYS[i]
        local v = redis.call('GET', k)
        if v then
          for _, t in ipairs(tags_of(v)) do
            if t == ARGV[1] then
              removed = removed + redis.call('UNLINK', k)
              if order > 0 then redis.call('ZREM', KEYS[order], k) end
              break
            end
          end
        end
        if set > 0 then redis.call('SREM', KEYS[set], k) end
      end
      return removed
      """);

  /**
   * KEYS: access set, entries...; ARGV: none. Removes the entries and their places in the LRU / LFU order in one
   * step. Returns the number of entries removed.
   */
  static final Script DELETE = Script.of("delete", """
      local removed = 0
      for i = 2, #KEYS do
        removed = removed + redis.call('UNLINK', KEYS[i])
        redis.call('ZREM', KEYS[1], KEYS[i])
      end
      return removed
      """);

  /**
   * KEYS: entries...; ARGV: none. Returns the key recorded in each entry's envelope (nil when the value is not an
   * envelope), read with GETRANGE so that a large value is never copied.
   */
  static final Script ENVELOPE_KEYS = Script.of("envelopeKeys", """
      local out = {}
      for i = 1, #KEYS do
        local key = false
        local head = redis.pcall('GETRANGE', KEYS[i], 0, 31)
        if type(head) == 'string' and #head == 32 and string.sub(head, 1, 2) == 'RC'
            and (string.byte(head, 3) == 1 or string.byte(head, 3) == 2) then
          local a, b, c, d = string.byte(head, 29, 32)
          local length = ((a * 256 + b) * 256 + c) * 256 + d
          if length > 0 then
            key = redis.call('GETRANGE', KEYS[i], 32, 31 + length)
          end
        end
        out[i] = key
      end
      return out
      """);

  /**
   * KEYS: a tag set or an access set, members...; ARGV: 'set' or 'zset'. Removes the members whose entry no
   * longer exists (after a clear). A member written again meanwhile exists, so it stays. Returns the number
   * removed.
   */
  static final Script PRUNE = Script.of("prune", """
      local removed = 0
      for i = 2, #KEYS do
        if redis.call('EXISTS', KEYS[i]) == 0 then
          if ARGV[1] == 'zset' then
            removed = removed + redis.call('ZREM', KEYS[1], KEYS[i])
          else
            removed = removed + redis.call('SREM', KEYS[1], KEYS[i])
          end
        end
      end
      return removed
      """);

  /**
   * KEYS: the LRU access set, the LFU access set, the sequence. Deletes the sequence when neither order holds an
   * entry: no score is left to compare new ones with. Returns 1 if it was deleted.
   */
  static final Script FORGET_SEQUENCE = Script.of("forgetSequence", """
      if redis.call('ZCARD', KEYS[1]) == 0 and redis.call('ZCARD', KEYS[2]) == 0 then
        return redis.call('DEL', KEYS[3])
      end
      return 0
      """);

  private LuaScripts() {}
}
