package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivecache.testing.MapCacheBackend;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** {@link CacheKey} and {@link CacheKeys}: keys that never collide and never depend on map order. */
class CacheKeyTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** Public, as the reflection in Canonical needs (see recordsThatAreNotPublicAreParams). */
  public record Filter(String name, int limit) {}

  record PackagePrivateFilter(String name, int limit) {}

  enum Color { RED, GREEN }

  private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();

  @AfterEach
  void tearDown() {
    clock.dispose();
  }

  private static String key(Object value) {
    return CacheKey.builder("ns").model("m").operation("op").param("p", value).build().render();
  }

  private static String sha256(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void componentsDoNotCollideByConcatenation() {
    assertThat(CacheKey.builder("a:b").model("c").build())
        .isNotEqualTo(CacheKey.builder("a").model("b:c").build());
    assertThat(CacheKey.builder("ns").model("a:b").operation("c").build())
        .isNotEqualTo(CacheKey.builder("ns").model("a").operation("b:c").build());
    assertThat(CacheKey.builder("ns").model("m").operation("a:b").part("c").build())
        .isNotEqualTo(CacheKey.builder("ns").model("m").operation("a").part("b:c").build());
    assertThat(CacheKey.builder("ns").part("a:b").part("c").build())
        .isNotEqualTo(CacheKey.builder("ns").part("a").part("b:c").build());
    // The escape character itself is escaped, so "a\" + "b" is not "a" + "\b".
    assertThat(CacheKey.builder("ns").part("a\\").part("b").build())
        .isNotEqualTo(CacheKey.builder("ns").part("a").part("\\b").build());
    assertThat(CacheKey.builder("a\\").model("b").build())
        .isNotEqualTo(CacheKey.builder("a").model("\\b").build());
    // A missing model is not a model made of the operation.
    assertThat(CacheKey.builder("ns").operation("op").build())
        .isNotEqualTo(CacheKey.builder("ns").model("op").build());
  }

  @Test
  void paramsDoNotCollideByConcatenation() {
    assertThat(CacheKey.builder("ns").param("a", "bc").build())
        .isNotEqualTo(CacheKey.builder("ns").param("ab", "c").build());
    assertThat(key(List.of("a,b", "c"))).isNotEqualTo(key(List.of("a", "b,c")));
    assertThat(key(List.of(List.of("a"), "b"))).isNotEqualTo(key(List.of("a", List.of("b"))));
    assertThat(key(Map.of("a", "b:c"))).isNotEqualTo(key(Map.of("a:b", "c")));
    assertThat(CacheKey.builder("ns").includeHash(false).param("a", "b:c").build())
        .isNotEqualTo(CacheKey.builder("ns").includeHash(false).param("a:b", "c").build());
  }

  @Test
  void mapsInAnyInsertionOrderGiveEqualKeys() {
    Map<String, Object> ab = new LinkedHashMap<>();
    ab.put("a", 1);
    ab.put("b", Map.of("x", 1, "y", 2));
    Map<String, Object> ba = new LinkedHashMap<>();
    ba.put("b", new LinkedHashMap<>(Map.of("y", 2, "x", 1)));
    ba.put("a", 1);
    CacheKey first = CacheKeys.make("res.partner", "search", ab);
    CacheKey second = CacheKeys.make("res.partner", "search", ba);
    assertThat(first).isEqualTo(second).hasSameHashCodeAs(second);
    assertThat(first.render()).isEqualTo(second.render());
    assertThat(CacheKeys.make("res.partner", "search", ab, "ns", false))
        .isEqualTo(CacheKeys.make("res.partner", "search", ba, "ns", false));
  }

  @Test
  void differentValuesAndTypesGiveDifferentKeys() {
    assertThat(key(1)).isNotEqualTo(key("1"));
    assertThat(key(1)).isNotEqualTo(key(1.0));
    assertThat(key(1.0)).isNotEqualTo(key("1.0"));
    assertThat(key(true)).isNotEqualTo(key("true"));
    assertThat(key(1)).isNotEqualTo(key(2));
    assertThat(key(null)).isNotEqualTo(key("null"));
    assertThat(key('a')).isNotEqualTo(key("a"));
    assertThat(key(Color.RED)).isNotEqualTo(key("RED")).isNotEqualTo(key(Color.GREEN));
    assertThat(key(Optional.empty())).isNotEqualTo(key(null));
    assertThat(key(List.of())).isNotEqualTo(key(Map.of())).isNotEqualTo(key(Set.of()));
  }

  @Test
  void listOrderMattersAndSetOrderDoesNot() {
    assertThat(key(List.of(1, 2))).isNotEqualTo(key(List.of(2, 1)));
    assertThat(key(new LinkedHashSet<>(List.of(1, 2)))).isEqualTo(key(new LinkedHashSet<>(List.of(2, 1))));
    assertThat(key(new int[] {1, 2})).isEqualTo(key(List.of(1, 2))).isNotEqualTo(key(new int[] {2, 1}));
  }

  @Test
  void equalValuesOfOtherSupportedTypesGiveEqualKeys() {
    UUID id = UUID.randomUUID();
    assertThat(key(id)).isEqualTo(key(UUID.fromString(id.toString())));
    assertThat(key(LocalDate.of(2026, 1, 1))).isEqualTo(key(LocalDate.parse("2026-01-01")))
        .isNotEqualTo(key(LocalDate.of(2026, 1, 2)));
    assertThat(key(new BigDecimal("1.50"))).isEqualTo(key(new BigDecimal("1.5")));
    assertThat(key(Optional.of("x"))).isEqualTo(key(Optional.of("x")));
  }

  @Test
  void paramsAreReplacedByTheirFullSha256() throws Exception {
    Map<String, Object> params = Map.of("domain", List.of("zebra_field", "=", true), "limit", 10);
    CacheKey key = CacheKeys.make("res.partner", "search", params);
    assertThat(key.render()).matches("reactive-cache:res\\.partner:search:[0-9a-f]{64}");
    assertThat(key.render()).endsWith(":" + sha256(Canonical.render(params)));
    assertThat(key.render()).doesNotContain("zebra_field");
    assertThat(key.namespace()).isEqualTo(CacheKeys.DEFAULT_NAMESPACE);
    assertThat(key.model()).contains("res.partner");
    assertThat(key.operation()).contains("search");
    assertThat(key.params()).isEqualTo(params);
    assertThat(key.toString()).isEqualTo(key.render());
  }

  @Test
  void withoutHashTheParamsStayReadable() {
    CacheKey key = CacheKeys.make("res.partner", "search", Map.of("name", "alice"), "app", false);
    assertThat(key.render()).startsWith("app:res.partner:search:").contains("alice");
    assertThat(key.render()).doesNotMatch(".*[0-9a-f]{64}$");
  }

  @Test
  void keyWithoutParamsHasNoDigest() {
    assertThat(CacheKeys.make("m", "op", Map.of()).render()).isEqualTo("reactive-cache:m:op");
  }

  @Test
  void recordsAreParams() {
    assertThat(key(new Filter("a", 10))).isEqualTo(key(new Filter("a", 10)));
    assertThat(key(new Filter("a", 10))).isNotEqualTo(key(new Filter("a", 11)));
    assertThat(key(new Filter("a", 10))).isNotEqualTo(key(Map.of("name", "a", "limit", 10)));
    assertThat(key(List.of(new Filter("a", 1), new Filter("b", 2)))).isNotEqualTo(
        key(List.of(new Filter("b", 2), new Filter("a", 1))));
  }

  @Test
  void recordsThatAreNotPublicAreParams() {
    assertThat(key(new PackagePrivateFilter("a", 10))).isEqualTo(key(new PackagePrivateFilter("a", 10)))
        .isNotEqualTo(key(new PackagePrivateFilter("a", 11)));
  }

  @Test
  void unsupportedParamTypeIsRefusedWithAClearMessage() {
    Object opaque = new Object();
    assertThatThrownBy(() -> key(opaque)).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("java.lang.Object").hasMessageContaining("no canonical form");
    assertThatThrownBy(() -> key(List.of(new StringBuilder("x"), opaque)))
        .isInstanceOf(InvalidCacheKeyException.class).hasMessageContaining("java.lang.Object");
    Function<String, String> lambda = s -> s;
    assertThatThrownBy(() -> key(lambda)).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("no canonical form");
  }

  @Test
  void longKeysRenderWholeAndStayDistinct() {
    String shared = "p".repeat(200);
    String first = shared + "a".repeat(10_000);
    String second = shared + "b".repeat(10_000);
    String renderedFirst = CacheKey.builder("ns").part(first).build().render();
    String renderedSecond = CacheKey.builder("ns").part(second).build().render();
    assertThat(renderedFirst).isNotEqualTo(renderedSecond);
    assertThat(renderedFirst).isEqualTo("ns:::" + first);
    assertThat(CacheKey.builder("ns").part(first).build()).isEqualTo(CacheKey.builder("ns").part(first).build());
  }

  @Test
  void overLongKeysThroughTheManagerAreDistinctEntries() {
    CacheManager manager = CacheManager.builder().clock(clock).backend(new MapCacheBackend("map", clock, null))
        .build();
    char[] filler = new char[10_240];
    Arrays.fill(filler, 'k');
    String first = new String(filler) + "1";
    String second = new String(filler) + "2";
    StepVerifier.create(manager.put(first, "one").then(manager.put(second, "two"))).expectComplete().verify(TIMEOUT);
    StepVerifier.create(manager.get(first, String.class)).expectNext("one").expectComplete().verify(TIMEOUT);
    StepVerifier.create(manager.get(second, String.class)).expectNext("two").expectComplete().verify(TIMEOUT);
    StepVerifier.create(manager.delete(first)).expectNext(true).expectComplete().verify(TIMEOUT);
    StepVerifier.create(manager.exists(second)).expectNext(true).expectComplete().verify(TIMEOUT);
  }

  @Test
  void modelKeyOfOneRecordIsTaggedAndFieldOrderDoesNotMatter() {
    CacheKey key = CacheKeys.modelKey("res.partner", 42, List.of("name", "email"));
    assertThat(key.render()).matches("reactive-cache:res\\.partner:record:42:[0-9a-f]{64}");
    assertThat(key).isEqualTo(CacheKeys.modelKey("res.partner", 42, List.of("email", "name")));
    assertThat(key).isEqualTo(CacheKeys.modelKey("res.partner", 42, new LinkedHashSet<>(List.of("email", "name", "email"))));
    assertThat(key).isNotEqualTo(CacheKeys.modelKey("res.partner", 42, List.of("name")));
    assertThat(key).isNotEqualTo(CacheKeys.modelKey("res.partner", 43, List.of("name", "email")));
    assertThat(key.tags()).containsExactly("res.partner");
    assertThat(CacheKeys.modelKey("res.partner", 42, List.of()).render())
        .isEqualTo("reactive-cache:res.partner:record:42");
  }

  @Test
  void modelKeyOfSeveralRecordsKeepsTheirOrder() {
    CacheKey key = CacheKeys.modelKey("res.partner", List.of(1L, 2L, 3L), List.of(), "app");
    assertThat(key.render()).isEqualTo("app:res.partner:record:1,2,3");
    assertThat(key).isNotEqualTo(CacheKeys.modelKey("res.partner", List.of(3L, 2L, 1L), List.of(), "app"));
    assertThat(key).isNotEqualTo(CacheKeys.modelKey("res.partner", List.of(123L), List.of(), "app"));
    assertThat(key.tags()).containsExactly("res.partner");
    assertThatThrownBy(() -> CacheKeys.modelKey("m", List.of(), List.of(), "app"))
        .isInstanceOf(InvalidCacheKeyException.class).hasMessageContaining("at least one record id");
    assertThatThrownBy(() -> CacheKeys.modelKey("m", Arrays.asList(1L, null), List.of(), "app"))
        .isInstanceOf(InvalidCacheKeyException.class).hasMessageContaining("null");
  }

  @Test
  void keysWithoutAModelHaveNoTags() {
    assertThat(CacheKey.builder("ns").operation("op").build().tags()).isEmpty();
    assertThat(CacheKeys.make("res.users", "read", Map.of()).tags()).containsExactly("res.users");
  }

  @Test
  void nullEmptyAndControlCharacterComponentsAreRefused() {
    assertThatThrownBy(() -> CacheKey.builder(null)).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("namespace").hasMessageContaining("null");
    assertThatThrownBy(() -> CacheKey.builder("")).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("namespace").hasMessageContaining("empty");
    assertThatThrownBy(() -> CacheKey.builder("ns").model("")).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("model");
    assertThatThrownBy(() -> CacheKey.builder("ns").operation(null)).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("operation");
    assertThatThrownBy(() -> CacheKey.builder("ns").param("", 1)).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("param name");
    assertThatThrownBy(() -> CacheKey.builder("ns").model("a\tb").build())
        .isInstanceOf(InvalidCacheKeyException.class).hasMessageContaining("U+0009");
    assertThatThrownBy(() -> CacheKey.builder("ns").includeHash(false).param("p", "line\nbreak").build())
        .isInstanceOf(InvalidCacheKeyException.class).hasMessageContaining("U+000A");
  }

  @Test
  void badKeysAreRefusedByTheManagerOnSubscription() {
    CacheManager manager = CacheManager.builder().clock(clock).backend(new MapCacheBackend("map", clock, null))
        .build();
    for (String bad : Arrays.asList(null, "", "a\nb", "nul\u0000", "del\u007f", "tab\t")) {
      Mono<Void> set = manager.put(bad, "v");
      StepVerifier.create(set).expectError(InvalidCacheKeyException.class).verify(TIMEOUT);
      StepVerifier.create(manager.get(bad, String.class)).expectError(InvalidCacheKeyException.class).verify(TIMEOUT);
      StepVerifier.create(manager.delete(bad)).expectError(InvalidCacheKeyException.class).verify(TIMEOUT);
      StepVerifier.create(manager.exists(bad)).expectError(InvalidCacheKeyException.class).verify(TIMEOUT);
    }
    StepVerifier.create(manager.get((CacheKey) null, ValueType.of(String.class)))
        .expectError(InvalidCacheKeyException.class).verify(TIMEOUT);
    StepVerifier.create(manager.put((CacheKey) null, "v", Duration.ofMinutes(1)))
        .expectError(InvalidCacheKeyException.class).verify(TIMEOUT);
  }

  @Test
  void controlCharacterMessageDoesNotEchoTheControlCharacter() {
    CacheManager manager = CacheManager.builder().clock(clock).backend(new MapCacheBackend("map", clock, null))
        .build();
    StepVerifier.create(manager.get("user:\r\n42", String.class))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(InvalidCacheKeyException.class)
            .hasMessageContaining("U+000D").hasMessageContaining("index 5").hasMessageNotContaining("\r"))
        .verify(TIMEOUT);
  }

  @Test
  void structuredKeyRoundTripsThroughTheManager() {
    CacheManager manager = CacheManager.builder().clock(clock).backend(new MapCacheBackend("map", clock, null))
        .build();
    CacheKey key = CacheKeys.make("res.partner", "read", Map.of("id", 7));
    StepVerifier.create(manager.put(key, "partner 7", Duration.ofMinutes(1))).expectComplete().verify(TIMEOUT);
    StepVerifier.create(manager.get(key, ValueType.of(String.class))).expectNext("partner 7").expectComplete()
        .verify(TIMEOUT);
    StepVerifier.create(manager.get(key.render(), String.class)).expectNext("partner 7").expectComplete()
        .verify(TIMEOUT);
    StepVerifier.create(manager.exists(key)).expectNext(true).expectComplete().verify(TIMEOUT);
    StepVerifier.create(manager.delete(key)).expectNext(true).expectComplete().verify(TIMEOUT);
  }
}
