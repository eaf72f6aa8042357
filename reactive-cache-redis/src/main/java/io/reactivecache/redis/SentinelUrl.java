package io.reactivecache.redis;

import io.lettuce.core.RedisURI;
import io.reactivecache.CacheConfigurationException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Parses {@code redis-sentinel://[[user]:password@]host1[:port1][,host2[:port2]...][/database]#masterName}
 * (Lettuce's syntax; {@code rediss-sentinel://} for TLS) into a Lettuce {@link RedisURI} with one sentinel node per
 * host. Parsed here rather than by {@code RedisURI.create} so that every mistake is reported by name (no master
 * name, no host, a bad port) and no message quotes a password.
 */
final class SentinelUrl {
  static final String SCHEME = "redis-sentinel";
  static final String TLS_SCHEME = "rediss-sentinel";
  static final int DEFAULT_PORT = RedisURI.DEFAULT_SENTINEL_PORT;
  static final String FORM = "redis-sentinel://[[user]:password@]host1[:port1][,host2[:port2]...][/database]"
      + "#masterName (rediss-sentinel:// for TLS)";

  private SentinelUrl() {}

  /**
   * Parses a sentinel url.
   *
   * @param text the url, starting with {@code redis-sentinel://} or {@code rediss-sentinel://}
   * @param sentinelPassword the sentinels' own password, or null
   * @return Lettuce's form of it, the text shown in messages and the data nodes' password
   * @throws CacheConfigurationException naming the option {@code url} and the masked url
   */
  static RedisCache.Builder.ParsedUrl parse(String text, String sentinelPassword) {
    String masked = RedisCache.mask(text);
    int schemeEnd = text.indexOf("://");
    String scheme = text.substring(0, schemeEnd);
    boolean tls = TLS_SCHEME.equals(scheme);
    String rest = text.substring(schemeEnd + 3);

    int hash = rest.indexOf('#');
    String master = hash < 0 ? "" : decode(rest.substring(hash + 1), masked, "a URL-encoded master name");
    if (master.isBlank() || master.chars().anyMatch(c -> Character.isISOControl(c) || Character.isWhitespace(c))) {
      throw invalid(masked, "the master name after '#' (as in 'sentinel monitor <masterName> ...'), without"
          + " spaces");
    }
    if (hash >= 0) {
      rest = rest.substring(0, hash);
    }
    if (rest.indexOf('?') >= 0) {
      throw invalid(masked, "no query part ('?')");
    }
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    int database = 0;
    if (!path.isEmpty() && !path.equals("/")) {
      if (!path.matches("/\\d{1,5}")) {
        throw invalid(masked, "a database number as path");
      }
      database = Integer.parseInt(path.substring(1));
    }

    int at = authority.lastIndexOf('@');
    String user = null;
    String password = null;
    if (at >= 0) {
      String userInfo = authority.substring(0, at);
      authority = authority.substring(at + 1);
      int colon = userInfo.indexOf(':');
      String rawUser = colon >= 0 ? userInfo.substring(0, colon) : "";
      String rawPassword = colon >= 0 ? userInfo.substring(colon + 1) : userInfo;
      user = rawUser.isEmpty() ? null : decode(rawUser, masked, "a URL-encoded user name");
      password = rawPassword.isEmpty() ? null : decode(rawPassword, masked, "a URL-encoded password");
    }
    if (authority.isEmpty()) {
      throw invalid(masked, "at least one sentinel host");
    }

    RedisURI.Builder builder = RedisURI.builder().withSentinelMasterId(master).withDatabase(database);
    StringBuilder hosts = new StringBuilder();
    for (String hostAndPort : authority.split(",", -1)) {
      String host;
      int port = DEFAULT_PORT;
      String portText = null;
      if (hostAndPort.startsWith("[")) {
        int close = hostAndPort.indexOf(']');
        if (close < 0) {
          throw invalid(masked, "sentinel hosts as host[:port], an IPv6 address in brackets");
        }
        host = hostAndPort.substring(1, close);
        String after = hostAndPort.substring(close + 1);
        if (!after.isEmpty()) {
          if (!after.startsWith(":")) {
            throw invalid(masked, "sentinel hosts as host[:port], an IPv6 address in brackets");
          }
          portText = after.substring(1);
        }
      } else {
        int colon = hostAndPort.lastIndexOf(':');
        host = colon < 0 ? hostAndPort : hostAndPort.substring(0, colon);
        portText = colon < 0 ? null : hostAndPort.substring(colon + 1);
      }
      if (host.isEmpty() || !host.matches("[A-Za-z0-9._:%-]+")) {
        throw invalid(masked, "sentinel hosts as host[:port] separated by ',', none empty (host '"
            + RedisCache.mask(host) + "')");
      }
      if (portText != null) {
        if (!portText.matches("\\d{1,5}") || Integer.parseInt(portText) < 1 || Integer.parseInt(portText) > 65_535) {
          throw invalid(masked, "a sentinel port from 1 to 65535 (port '" + portText + "' of host '" + host
              + "')");
        }
        port = Integer.parseInt(portText);
      }
      RedisURI.Builder node = RedisURI.builder().withHost(host).withPort(port);
      if (sentinelPassword != null) {
        node.withPassword(sentinelPassword.toCharArray());
      }
      builder.withSentinel(node.build());
      hosts.append(hosts.length() == 0 ? "" : ",").append(host.indexOf(':') >= 0 ? "[" + host + "]" : host)
          .append(':').append(port);
    }
    if (password != null) {
      builder.withAuthentication(user, password);
    }
    // After the nodes are added, so that the sentinels are reached with TLS too (setSsl copies it to them).
    builder.withSsl(tls);
    String safe = scheme + "://" + (at >= 0 ? "***@" : "") + hosts + "/" + database + "#" + master;
    return new RedisCache.Builder.ParsedUrl(builder.build(), safe, password, user, List.of());
  }

  private static String decode(String raw, String masked, String what) {
    try {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw invalid(masked, what);
    }
  }

  private static CacheConfigurationException invalid(String masked, String detail) {
    return CacheConfigurationException.invalid("url", "'" + masked + "'", FORM + ", with " + detail);
  }
}
