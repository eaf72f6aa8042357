package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivecache.CacheBackendException;
import io.reactivecache.CacheConfigurationException;
import io.reactivecache.CacheManager;
import io.reactivecache.ValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.test.StepVerifier;

/**
 * Row 23 of docs/reliability.md for the Redis module, as a table: every option of the builder and of the provider, each with
 * the bad values a hostile user or a typo gives. Each case must fail in {@code build()} with a
 * {@link CacheConfigurationException} naming the option and the value; never a NullPointerException, an
 * ArithmeticException, an int overflow on a later call, or an OutOfMemoryError (a threshold of
 * {@code Integer.MAX_VALUE} made Resilience4j allocate a window of that many slots).
 */
class RedisBadConfigurationTest {
  private static final Duration HUGE = Duration.ofSeconds(Long.MAX_VALUE);
  private static final Duration THIRTY_DAYS = Duration.ofDays(30);

  /** One bad builder setting: the option, what is done, and the value text the message must show. */
  static Stream<Arguments> builderCases() {
    List<Arguments> cases = new ArrayList<>();
    add(cases, "name", b -> b.name(null), "null");
    add(cases, "name", b -> b.name(""), "''");
    add(cases, "url", b -> b.url(null), "null");
    add(cases, "url", b -> b.url(""), "''");
    add(cases, "url", b -> b.url("redis://127.0.0.1:0"), "127.0.0.1:0");
    add(cases, "url", b -> b.url("redis://127.0.0.1:70000"), "127.0.0.1:70000");
    add(cases, "url", b -> b.url("redis://127.0.0.1:-1"), "127.0.0.1:-1");
    add(cases, "url", b -> b.url("http://127.0.0.1:6379"), "http://127.0.0.1:6379");
    add(cases, "url", b -> b.url("redis://127.0.0.1:6379/x"), "/x");
    add(cases, "namespace", b -> b.namespace(null), "null");
    add(cases, "namespace", b -> b.namespace(""), "''");
    add(cases, "namespace", b -> b.namespace("a\u0000b"), "'a?b'");
    add(cases, "namespace", b -> b.namespace("n".repeat(257)), "'nnn");
    for (String option : List.of("commandTimeout", "connectTimeout", "retryBackoff", "circuitBreakerWaitDuration",
        "maxReconnectDelay", "defaultTtl")) {
      if (!option.equals("defaultTtl")) {
        add(cases, option, b -> duration(b, option, null), "null");
        add(cases, option, b -> duration(b, option, THIRTY_DAYS), "PT720H");
      }
      add(cases, option, b -> duration(b, option, Duration.ZERO), "PT0S");
      add(cases, option, b -> duration(b, option, Duration.ofMillis(-1)), "PT-0.001S");
      add(cases, option, b -> duration(b, option, HUGE), HUGE.toString());
    }
    add(cases, "retryAttempts", b -> b.retryAttempts(-1), "-1");
    add(cases, "retryAttempts", b -> b.retryAttempts(Integer.MAX_VALUE), Integer.toString(Integer.MAX_VALUE));
    add(cases, "circuitBreakerThreshold", b -> b.circuitBreakerThreshold(0), "0");
    add(cases, "circuitBreakerThreshold", b -> b.circuitBreakerThreshold(Integer.MAX_VALUE),
        Integer.toString(Integer.MAX_VALUE));
    add(cases, "maxValueBytes", b -> b.maxValueBytes(63), "63");
    add(cases, "maxValueBytes", b -> b.maxValueBytes(Integer.MAX_VALUE), Integer.toString(Integer.MAX_VALUE));
    add(cases, "maxNestingDepth", b -> b.maxNestingDepth(0), "0");
    add(cases, "strategy", b -> b.strategy((String) null), "null");
    add(cases, "strategy", b -> b.strategy("fifo"), "'fifo'");
    add(cases, "maximumSize", b -> b.maximumSize(0), "0");
    add(cases, "maximumSize", b -> b.maximumSize(Long.MIN_VALUE), Long.toString(Long.MIN_VALUE));
    add(cases, "clock", b -> b.clock(null), "null");
    return cases.stream();
  }

  private static void add(List<Arguments> cases, String option, UnaryOperator<RedisCache.Builder> bad,
      String shown) {
    cases.add(Arguments.of(option, bad, shown));
  }

  private static RedisCache.Builder duration(RedisCache.Builder b, String option, Duration value) {
    return switch (option) {
      case "commandTimeout" -> b.commandTimeout(value);
      case "connectTimeout" -> b.connectTimeout(value);
      case "retryBackoff" -> b.retryBackoff(value);
      case "circuitBreakerWaitDuration" -> b.circuitBreakerWaitDuration(value);
      case "maxReconnectDelay" -> b.maxReconnectDelay(value);
      case "defaultTtl" -> b.defaultTtl(value);
      default -> throw new IllegalArgumentException(option);
    };
  }

  @ParameterizedTest(name = "{0} = {2}")
  @MethodSource("builderCases")
  void builderRefusesInBuildNamingTheOptionAndTheValue(String option, UnaryOperator<RedisCache.Builder> bad,
      String shown) {
    RedisCache.Builder builder = RedisCache.builder().url("redis://127.0.0.1:1/0");
    assertThatThrownBy(() -> bad.apply(builder).build())
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'" + option + "'")
        .hasMessageContaining(shown);
  }

  /**
   * The longest values accepted build, and a call works with them: no overflow turning a day into a negative int
   * of milliseconds (Netty's connect timeout) or nanoseconds. Nothing listens on port 1, so the call fails at
   * once, as a {@link CacheBackendException}; without retries, so that a day of backoff is not waited.
   */
  @ParameterizedTest(name = "{0} = one day")
  @MethodSource("longestDurations")
  void theLongestAcceptedDurationsBuildAndWork(String option) {
    RedisCacheBackend backend = duration(RedisCache.builder().url("redis://127.0.0.1:1/0").retryAttempts(0),
        option, Duration.ofDays(1)).build();
    try {
      StepVerifier.create(backend.get("k", ValueType.of(String.class)))
          .expectError(CacheBackendException.class)
          .verify(Duration.ofSeconds(30));
    } finally {
      backend.close().block(Duration.ofSeconds(5));
    }
  }

  static Stream<String> longestDurations() {
    return Stream.of("commandTimeout", "connectTimeout", "retryBackoff", "circuitBreakerWaitDuration",
        "maxReconnectDelay");
  }

  /** The provider's options as text, each with its bad values; and null values and a null map. */
  static Stream<Arguments> providerCases() {
    Map<String, List<String>> bad = new LinkedHashMap<>();
    bad.put("url", List.of("", "redis://h:0", "ftp://h", "redis://h:6379/db"));
    bad.put("namespace", List.of(""));
    for (String option : List.of("commandTimeout", "connectTimeout", "retryBackoff", "circuitBreakerWaitDuration",
        "maxReconnectDelay")) {
      bad.put(option, List.of("", "soon", "0ms", "-5s", "30d", "P99999999999999D", "9223372036854775807s"));
    }
    bad.put("retryAttempts", List.of("", "-1", "x", "2147483648", "11"));
    bad.put("circuitBreakerThreshold", List.of("0", "2147483647", "1.5"));
    bad.put("maxConnections", List.of("0", "20", "many"));
    bad.put("sentinelPassword", List.of("secret"));
    bad.put("maxValueBytes", List.of("1", "2147483647"));
    bad.put("maxNestingDepth", List.of("0", "deep"));
    bad.put("trustedCertificates", List.of(" "));
    bad.put("maximumSize", List.of("0", "lots"));
    bad.put("defaultTtl", List.of("0s", "forever", "9223372036854775807s"));
    bad.put("strategy", List.of("fifo"));
    List<Arguments> cases = new ArrayList<>();
    bad.forEach((option, values) -> values.forEach(value -> cases.add(Arguments.of(option, value))));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} = \"{1}\"")
  @MethodSource("providerCases")
  void providerRefusesNamingTheOption(String option, String value) {
    Map<String, String> options = new HashMap<>();
    options.put("url", "redis://127.0.0.1:1/0");
    options.put(option, value);
    assertThatThrownBy(() -> CacheManager.builder().backend("redis", "r", options).build())
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'" + option + "'");
  }

  @ParameterizedTest(name = "{0} = null")
  @MethodSource("optionNames")
  void nullOptionValuesAreRefusedNamingTheOption(String option) {
    Map<String, String> options = new HashMap<>();
    options.put(option, null);
    assertThatThrownBy(() -> CacheManager.builder().backend("redis", "r", options).build())
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'" + option + "'")
        .hasMessageContaining("null");
  }

  static Stream<String> optionNames() {
    return Stream.concat(RedisCacheBackendProvider.optionNames().stream().sorted(),
        Stream.of("maximumSize", "defaultTtl", "strategy", "fallback"));
  }

  @Test
  void aNullOptionsMapIsRefusedNamingIt() {
    assertThatThrownBy(() -> CacheManager.builder().backend("redis", "r", null).build())
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'options'")
        .hasMessageContaining("null");
  }
}
