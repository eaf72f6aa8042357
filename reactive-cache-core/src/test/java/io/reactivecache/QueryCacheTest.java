package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** {@link QueryCache}: query results cached under keys generated from their {@link QueryKey}. */
class QueryCacheTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final CachePolicy FIVE_MINUTES = CachePolicy.builder().ttl(Duration.ofMinutes(5)).build();

  record Partner(long id, String name) {}

  record PartnerName(String name) {}

  private VirtualTimeScheduler clock;
  private MapCacheBackend backend;
  private CacheManager manager;
  private QueryCache<Partner> partners;
  private final AtomicInteger queries = new AtomicInteger();

  @BeforeEach
  void setUp() {
    clock = VirtualTimeScheduler.create();
    clock.advanceTimeTo(Instant.parse("2026-01-01T00:00:00Z"));
    backend = new MapCacheBackend("main", clock, null);
    manager = CacheManager.builder().clock(clock).backend(backend).build();
    partners = manager.queries(Partner.class, FIVE_MINUTES);
  }

  @AfterEach
  void tearDown() {
    clock.dispose();
  }

  /** Stands for a repository query: counted each time it runs. */
  private Flux<Partner> companies(String... names) {
    return Flux.defer(() -> {
      queries.incrementAndGet();
      return Flux.range(0, names.length).map(i -> new Partner(i, names[i]));
    });
  }

  private Mono<Long> count(long value) {
    return Mono.fromCallable(() -> {
      queries.incrementAndGet();
      return value;
    });
  }

  private static QueryKey companiesQuery() {
    return QueryKey.on("partner").where("is_company", true).orderBy("name").limit(20);
  }

  private static <T> List<T> all(Flux<T> rows) {
    return rows.collectList().block(WAIT);
  }

  @Test
  void aQuerysRowsAreLoadedOnceThenServedUntilTheTtl() {
    assertThat(all(partners.all(companiesQuery(), companies("Acme", "Globex"))))
        .extracting(Partner::name).containsExactly("Acme", "Globex");
    assertThat(all(partners.all(companiesQuery(), companies("changed")))).extracting(Partner::name)
        .containsExactly("Acme", "Globex");
    assertThat(queries).hasValue(1);
    assertThat(backend.raw(companiesQuery().cacheKey("all", Partner.class.getTypeName()).render())).isNotNull();

    clock.advanceTimeBy(Duration.ofMinutes(5));
    assertThat(all(partners.all(companiesQuery(), companies("changed")))).extracting(Partner::name)
        .containsExactly("changed");
  }

  @Test
  void countAndFirstRowAreCachedApartFromTheRows() {
    QueryKey query = companiesQuery();
    StepVerifier.create(partners.count(query, count(2))).expectNext(2L).expectComplete().verify(WAIT);
    StepVerifier.create(partners.count(query, count(99))).expectNext(2L).expectComplete().verify(WAIT);
    StepVerifier.create(partners.first(query, companies("Acme").next())).expectNext(new Partner(0, "Acme"))
        .expectComplete().verify(WAIT);
    StepVerifier.create(partners.first(query, companies("other").next())).expectNext(new Partner(0, "Acme"))
        .expectComplete().verify(WAIT);
    assertThat(all(partners.all(query, companies("Acme", "Globex")))).hasSize(2);
    assertThat(queries).hasValue(3);
  }

  @Test
  void descriptionsThatDifferOnlyInOrderOfConditionsShareOneEntry() {
    QueryKey one = QueryKey.on("partner").where("is_company", true).where("country", "FR").fields("id", "name");
    QueryKey two = QueryKey.on("partner").where(Map.of("country", "FR", "is_company", true)).fields("name", "id");
    all(partners.all(one, companies("Acme")));
    assertThat(all(partners.all(two, companies("other")))).extracting(Partner::name).containsExactly("Acme");
    all(partners.all(two.where("active", true), companies("Initech")));
    assertThat(queries).hasValue(2);
  }

  @Test
  void invalidatingAModelDropsEveryCachedQueryOfItAndNoOther() {
    QueryCache<String> users = manager.queries(String.class, FIVE_MINUTES);
    all(partners.all(companiesQuery(), companies("Acme")));
    all(partners.all(companiesQuery().offset(20), companies("Globex")));
    partners.count(companiesQuery(), count(2)).block(WAIT);
    users.count(QueryKey.on("user"), count(7)).block(WAIT);
    assertThat(queries).hasValue(4);

    assertThat(manager.invalidateTag("partner").block(WAIT)).isEqualTo(3);

    all(partners.all(companiesQuery(), companies("Acme")));
    partners.count(companiesQuery(), count(2)).block(WAIT);
    StepVerifier.create(users.count(QueryKey.on("user"), count(8))).expectNext(7L).expectComplete().verify(WAIT);
    assertThat(queries).hasValue(6);
  }

  @Test
  void aPatternOverTheQueryNamespaceReachesEveryQueryOfAModel() {
    all(partners.all(companiesQuery(), companies("Acme")));
    partners.count(companiesQuery(), count(1)).block(WAIT);
    assertThat(manager.deletePattern("query:partner:*").block(WAIT)).isEqualTo(2);
  }

  @Test
  void twoRowTypesReadForOneQueryNeverShareAnEntry() {
    QueryCache<PartnerName> names = manager.queries(PartnerName.class, FIVE_MINUTES);
    all(partners.all(companiesQuery(), companies("Acme")));
    List<PartnerName> read = all(names.all(companiesQuery(), Flux.just(new PartnerName("from names"))));
    assertThat(read).containsExactly(new PartnerName("from names"));
    assertThat(all(partners.all(companiesQuery(), companies("other")))).extracting(Partner::name)
        .containsExactly("Acme");
  }

  @Test
  void anInvalidationOfTheModelDuringAQueryLoadWins() {
    Sinks.One<Long> gate = Sinks.one();
    Mono<Long> loading = partners.count(companiesQuery(), gate.asMono()).cache();
    loading.subscribe();
    manager.invalidateTag("partner").block(WAIT);
    gate.tryEmitValue(5L);
    assertThat(loading.block(WAIT)).isEqualTo(5L);
    StepVerifier.create(partners.count(companiesQuery(), count(6))).expectNext(6L).expectComplete().verify(WAIT);
  }

  @Test
  void concurrentCallersOfOneQueryShareOneLoad() {
    Sinks.Many<Partner> rows = Sinks.many().replay().all();
    Flux<Partner> query = Flux.defer(() -> {
      queries.incrementAndGet();
      return rows.asFlux();
    });
    List<Mono<List<Partner>>> callers = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Mono<List<Partner>> caller = partners.all(companiesQuery(), query).collectList().cache();
      caller.subscribe();
      callers.add(caller);
    }
    rows.tryEmitNext(new Partner(1, "Acme"));
    rows.tryEmitComplete();
    callers.forEach(caller -> assertThat(caller.block(WAIT)).containsExactly(new Partner(1, "Acme")));
    assertThat(queries).hasValue(1);
  }

  @Test
  void aResultLongerThanMaxElementsStreamsButIsNotStored() {
    QueryCache<Partner> bounded = manager.queries(Partner.class, FIVE_MINUTES.toBuilder().maxElements(2).build());
    assertThat(all(bounded.all(companiesQuery(), companies("a", "b", "c")))).hasSize(3);
    assertThat(all(bounded.all(companiesQuery(), companies("a", "b", "c")))).hasSize(3);
    assertThat(queries).hasValue(2);
  }

  @Test
  void queryCachingCanBeSwitchedOffAndOn() {
    StepVerifier.create(partners.disable()).expectComplete().verify(WAIT);
    partners.count(companiesQuery(), count(1)).block(WAIT);
    partners.count(companiesQuery(), count(1)).block(WAIT);
    assertThat(queries).hasValue(2);
    assertThat(backend.rawSize()).isZero();
    StepVerifier.create(partners.enable()).expectComplete().verify(WAIT);
    partners.count(companiesQuery(), count(1)).block(WAIT);
    partners.count(companiesQuery(), count(1)).block(WAIT);
    assertThat(queries).hasValue(3);
  }

  @Test
  void aNullDescriptionFailsTheCall() {
    StepVerifier.create(partners.all(null, companies("a"))).expectError(InvalidCacheKeyException.class).verify(WAIT);
    assertThat(queries).hasValue(0);
  }
}
