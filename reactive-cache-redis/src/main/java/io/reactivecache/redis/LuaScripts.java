package io.reactivecache.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The server-side scripts. Each runs atomically in Redis, which is what lets several application instances share
 * one view of tags and of the LRU / LFU order: no process keeps bookkeeping of its own.
 *
 * <p>Scripts read an envelope's tags straight from its binary header (see {@link EnvelopeCodec}), so a tag set
 * may hold stale members (an entry that expired natively and was written again without the tag) without harm:
 * invalidation checks the entry's current tags before removing it.
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
        if type(v) ~= 'string' or #v < 36 or string.sub(v, 1, 2) ~= 'RC' or string.byte(v, 3) ~= 1 then
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
   * KEYS: entry, access set, sequence, tag sets of the new entry...; ARGV: envelope, ttl ms (0 = never), tag-set
   * prefix, strategy id, maximum size. Returns the number of entries evicted for size.
   */
  static final Script PUT = Script.of("put", TAGS_OF + TOUCH + """
      local key = KEYS[1]
      local old = redis.call('GET', key)
      if old then
        for _, t in ipairs(tags_of(old)) do
          redis.call('SREM', ARGV[3] .. t, key)
        end
      end
      local ttl = tonumber(ARGV[2])
      if ttl > 0 then
        redis.call('SET', key, ARGV[1], 'PX', ttl)
      else
        redis.call('SET', key, ARGV[1])
      end
      for i = 4, #KEYS do
        local ts = KEYS[i]
        local existed = redis.call('EXISTS', ts)
        redis.call('SADD', ts, key)
        if ttl <= 0 then
          redis.call('PERSIST', ts)
        elseif existed == 0 then
          redis.call('PEXPIRE', ts, ttl)
        else
          local cur = redis.call('PTTL', ts)
          if cur >= 0 and cur < ttl then redis.call('PEXPIRE', ts, ttl) end
        end
      end
      local evicted = 0
      if ARGV[4] ~= 'ttl' then
        local zset = KEYS[2]
        touch(zset, KEYS[3], ARGV[4], key)
        local max = tonumber(ARGV[5])
        while redis.call('ZCARD', zset) > max do
          local lowest = redis.call('ZRANGE', zset, 0, 1)
          local victim = lowest[1]
          if victim == key then victim = lowest[2] end
          redis.call('ZREM', zset, victim)
          evicted = evicted + redis.call('UNLINK', victim)
        end
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
   * KEYS: tag set, access set; ARGV: tag, batch size. Pops up to a batch of members and removes those whose
   * entry still carries the tag. Returns {removed, members left}; the caller repeats while members are left, so
   * a large tag never blocks the server in one long script.
   */
  static final Script INVALIDATE_TAG = Script.of("invalidateTag", TAGS_OF + """
      local members = redis.call('SPOP', KEYS[1], tonumber(ARGV[2]))
      local removed = 0
      for _, k in ipairs(members) do
        local v = redis.call('GET', k)
        if v then
          for _, t in ipairs(tags_of(v)) do
            if t == ARGV[1] then
              removed = removed + redis.call('UNLINK', k)
              redis.call('ZREM', KEYS[2], k)
              break
            end
          end
        end
      end
      return {removed, redis.call('SCARD', KEYS[1])}
      """);

  private LuaScripts() {}
}
