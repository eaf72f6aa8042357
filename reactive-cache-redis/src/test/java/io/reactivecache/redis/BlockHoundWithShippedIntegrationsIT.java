package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheHealth;
import io.reactivecache.ValueType;
import io.reactivecache.redis.support.OpenedBackends;
import io.reactivecache.redis.support.RedisTestSupport;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Row 17 of docs/reliability.md as a user's application meets it: BlockHound with only the integrations that come with the
 * jars (ours and our dependencies'), and calls made from Reactor's non-blocking threads, as a WebFlux handler makes
 * them. The build installs BlockHound in every test JVM through its JUnit listener, which loads every integration
 * on the class path; the first test proves that none of them comes from test code, so nothing here is allowed that
 * an application would not allow.
 */
class BlockHoundWithShippedIntegrationsIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @RegisterExtension
  final OpenedBackends opened = new OpenedBackends();

  private RedisCacheBackend backend() {
    return opened.add(RedisCache.builder()
        .url(RedisTestSupport.redisUri())
        .namespace(RedisTestSupport.newNamespace())
        .commandTimeout(Duration.ofSeconds(2))
        .build());
  }

  @Test
  void onlyIntegrationsShippedInJarsOrMainCodeAreInstalled() {
    List<String> fromTestCode = new ArrayList<>();
    for (BlockHoundIntegration integration : ServiceLoader.load(BlockHoundIntegration.class)) {
      var source = integration.getClass().getProtectionDomain().getCodeSource();
      String location = source == null ? "the JDK" : source.getLocation().toString();
      if (location.contains("test-classes")) {
        fromTestCode.add(integration.getClass().getName() + " from " + location);
      }
    }
    assertThat(fromTestCode).as("BlockHound integrations that only tests would have").isEmpty();
  }

  record Street(String name, int number) {}
  record Address(Street street, String city, List<String> lines) {}
  record Person(String name, Address home, Map<String, Integer> scores) {}
  record Order(long id, List<Person> buyers, Set<String> labels) {}
  record Invoice(Order order, double total, Map<String, List<Street>> deliveries) {}
  record Tag(String value) {}
  record Tagged(List<Tag> tags, Map<String, Tag> byName) {}
  record Money(String currency, long cents) {}
  record Price(Money net, Money gross) {}
  record Line(String sku, Price price, int quantity) {}
  record Cart(List<Line> lines, Map<String, Price> discounts) {}
  record Session(String id, Cart cart, Person owner) {}

  /** Value types none of which was read in this JVM before; each first read builds its deserializers. */
  private static List<Map.Entry<ValueType<?>, Object>> newTypes() {
    Street street = new Street("Main", 1);
    Address address = new Address(street, "Town", List.of("a", "b"));
    Person person = new Person("Ada", address, Map.of("x", 1));
    Order order = new Order(7, List.of(person), Set.of("gift"));
    Money money = new Money("EUR", 100);
    Price price = new Price(money, money);
    Line line = new Line("sku", price, 2);
    Cart cart = new Cart(List.of(line), Map.of("promo", price));
    List<Map.Entry<ValueType<?>, Object>> types = new ArrayList<>();
    types.add(Map.entry(ValueType.of(Street.class), street));
    types.add(Map.entry(ValueType.of(Address.class), address));
    types.add(Map.entry(ValueType.of(Person.class), person));
    types.add(Map.entry(ValueType.of(Order.class), order));
    types.add(Map.entry(ValueType.of(Invoice.class), new Invoice(order, 1.5, Map.of("d", List.of(street)))));
    types.add(Map.entry(ValueType.of(Tagged.class), new Tagged(List.of(new Tag("t")), Map.of("t", new Tag("t")))));
    types.add(Map.entry(ValueType.of(Line.class), line));
    types.add(Map.entry(ValueType.of(Cart.class), cart));
    types.add(Map.entry(ValueType.of(Session.class), new Session("s", cart, person)));
    types.add(Map.entry(new ValueType<List<Money>>() {}, List.of(money)));
    types.add(Map.entry(new ValueType<Map<String, Price>>() {}, Map.of("p", price)));
    types.add(Map.entry(new ValueType<List<Map<String, Line>>>() {}, List.of(Map.of("l", line))));
    types.add(Map.entry(new ValueType<Set<Tag>>() {}, Set.of(new Tag("u"))));
    types.add(Map.entry(new ValueType<Map<String, List<Order>>>() {}, Map.of("o", List.of(order))));
    return types;
  }

  @Test
  void manyConcurrentFirstReadsOfNewValueTypesNeverBlock() {
    RedisCacheBackend backend = backend();
    List<Map.Entry<ValueType<?>, Object>> types = newTypes();
    long now = System.currentTimeMillis();
    for (int i = 0; i < types.size(); i++) {
      backend.put("type" + i, CacheEntry.of(types.get(i).getValue(), now, now + 60_000, now + 60_000, Set.of()))
          .block(TIMEOUT);
    }
    ConcurrentLinkedQueue<Throwable> blocking = new ConcurrentLinkedQueue<>();
    AtomicLong hits = new AtomicLong();
    int readersPerType = 40;
    Flux.range(0, types.size() * readersPerType)
        .flatMap(i -> {
          Map.Entry<ValueType<?>, Object> type = types.get(i % types.size());
          return Mono.defer(() -> backend.get("type" + (i % types.size()), type.getKey()))
              .subscribeOn(Schedulers.parallel())
              .doOnNext(entry -> {
                assertThat(entry.value()).isEqualTo(type.getValue());
                hits.incrementAndGet();
              })
              .onErrorResume(e -> {
                blocking.add(e);
                return Mono.empty();
              });
        }, 256)
        .then()
        .block(TIMEOUT);
    blocking.stream().findFirst().ifPresent(Throwable::printStackTrace);
    assertThat(blocking).as("failures of first reads of new types from non-blocking threads").isEmpty();
    assertThat(hits.get()).isEqualTo((long) types.size() * readersPerType);
  }

  @Test
  void thirtyThousandMixedOperationsFromReactorThreadsNeverBlockAndLeaveTheConnectionHealthy() {
    RedisCacheBackend backend = backend();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    ValueType<String> string = ValueType.of(String.class);
    int operations = 30_000;
    Flux.range(0, operations)
        .flatMap(i -> Mono.defer(() -> operation(backend, string, i))
            .subscribeOn(i % 2 == 0 ? Schedulers.parallel() : Schedulers.single())
            .onErrorResume(e -> {
              failures.add(e);
              return Mono.empty();
            }), 256)
        .then()
        .block(Duration.ofMinutes(3));
    long blocking = failures.stream().filter(BlockHoundWithShippedIntegrationsIT::isBlocking).count();
    failures.stream().findFirst().ifPresent(Throwable::printStackTrace);
    assertThat(blocking).as("BlockHound detections in %d operations", operations).isZero();
    assertThat(failures).as("failed operations").isEmpty();

    // The connection still answers, promptly.
    backend.put("after", entry("fine")).block(Duration.ofSeconds(5));
    assertThat(backend.get("after", string).block(Duration.ofSeconds(5)).value()).isEqualTo("fine");
    assertThat(backend.health().block(Duration.ofSeconds(5)).status()).isEqualTo(CacheHealth.Status.UP);
  }

  private static Mono<?> operation(RedisCacheBackend backend, ValueType<String> string, int i) {
    String key = "k" + ThreadLocalRandom.current().nextInt(500);
    return switch (i % 8) {
      case 0, 1, 2 -> backend.get(key, string);
      case 3, 4 -> backend.put(key, entry("v" + i));
      case 5 -> backend.exists(key);
      case 6 -> backend.delete(key);
      default -> {
        Map<String, CacheEntry<?>> batch = new HashMap<>();
        for (int n = 0; n < 5; n++) {
          batch.put("bulk" + ThreadLocalRandom.current().nextInt(500), entry("b" + i));
        }
        yield i % 16 == 7 ? backend.putAll(batch) : backend.getAll(batch.keySet(), string);
      }
    };
  }

  private static CacheEntry<String> entry(String value) {
    long now = Schedulers.parallel().now(TimeUnit.MILLISECONDS);
    return CacheEntry.of(value, now, now + 60_000, now + 120_000, Set.of());
  }

  private static boolean isBlocking(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof BlockingOperationError) {
        return true;
      }
    }
    return false;
  }
}
