package io.reactivecache.redis.faults;

import io.reactivecache.CacheException;
import io.reactivecache.CacheHealth;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Steady load on a backend for the cluster fault tests, with a journal that can tell a wrong value from a right
 * one afterwards: one writer per key (its writes and deletes are sequential, so their order is known), a few
 * readers picking keys at random, and a sampler of the backend's health. Every call is timed.
 *
 * <p>A read is right if it is a miss (a cache may lose data), or the value of a write of its own key that had
 * started before the read ended and that no acknowledged later write or delete of the key had replaced before the
 * read started. A write whose call failed may or may not have landed (its reply was lost with the node), so its
 * value is right until something later is acknowledged. Anything else is a wrong value: another key's, one never
 * written, an overwritten one, or a deleted one that came back.
 *
 * <p>Calls block, on threads of their own (never on Reactor's): the load is what an application's request threads
 * would do, and each call's duration is what its caller would wait.
 */
final class ClusterLoad implements AutoCloseable {
  /** One write or delete of a key, in the order its writer made them. */
  record Op(int seq, boolean delete, long start, long end, String failure) {
    /** Tells whether the call succeeded. */
    boolean ok() {
      return failure == null;
    }
  }

  /** One read. */
  record Read(String key, long start, long end, String value, boolean failed) {}

  /** One health sample. */
  record HealthSample(long at, CacheHealth.Status status, String reason) {}

  private final RedisCacheBackend backend;
  private final Duration callBound;
  private final Map<String, List<Op>> journals = new LinkedHashMap<>();
  private final List<Read> reads = Collections.synchronizedList(new ArrayList<>());
  private final List<HealthSample> health = Collections.synchronizedList(new ArrayList<>());
  private final ConcurrentLinkedQueue<String> strangeErrors = new ConcurrentLinkedQueue<>();
  private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();

  /**
   * Starts the load.
   *
   * @param backend the backend under test
   * @param keys the keys; each gets one writer
   * @param deleteEvery every n-th operation of a writer is a delete (0: never)
   * @param readers how many reader threads
   * @param callBound a call longer than this is counted as over the bound
   */
  ClusterLoad(RedisCacheBackend backend, List<String> keys, int deleteEvery, int readers, Duration callBound) {
    this.backend = backend;
    this.callBound = callBound;
    for (String key : keys) {
      List<Op> journal = Collections.synchronizedList(new ArrayList<>());
      // Version 0: the value the test wrote (and saw acknowledged) before the load began.
      journal.add(new Op(0, false, Long.MIN_VALUE, Long.MIN_VALUE, null));
      journals.put(key, journal);
      threads.add(new Thread(() -> write(key, journal, deleteEvery), "cluster-load-writer-" + key));
    }
    for (int i = 0; i < readers; i++) {
      threads.add(new Thread(() -> read(List.copyOf(keys)), "cluster-load-reader-" + i));
    }
    threads.add(new Thread(this::sampleHealth, "cluster-load-health"));
    threads.forEach(Thread::start);
  }

  private void write(String key, List<Op> journal, int deleteEvery) {
    int seq = 0;
    while (running.get()) {
      seq++;
      boolean delete = deleteEvery > 0 && seq % deleteEvery == 0;
      long start = System.nanoTime();
      String failure = attempt(delete ? backend.delete(key).then()
          : backend.put(key, RedisFaultTest.entry(RedisFaultTest.valueOf(key, seq))));
      journal.add(new Op(seq, delete, start, System.nanoTime(), failure));
      pause(2);
    }
  }

  private void read(List<String> keys) {
    while (running.get()) {
      String key = keys.get(ThreadLocalRandom.current().nextInt(keys.size()));
      long start = System.nanoTime();
      Object[] value = new Object[1];
      String failure = attempt(backend.get(key, RedisFaultTest.STRING)
          .doOnNext(found -> value[0] = found.value())
          .then());
      reads.add(new Read(key, start, System.nanoTime(), (String) value[0], failure != null));
      pause(1);
    }
  }

  private void sampleHealth() {
    while (running.get()) {
      long at = System.nanoTime();
      try {
        CacheHealth sample = backend.health().block(callBound.plus(Duration.ofSeconds(10)));
        health.add(new HealthSample(at, sample.status(), sample.reason()));
      } catch (RuntimeException e) {
        strangeErrors.add("health failed instead of answering: " + e);
      }
      pause(50);
    }
  }

  /** Runs one call; returns null when it succeeded, else what failed (a failure must be a CacheException). */
  private String attempt(reactor.core.publisher.Mono<Void> call) {
    try {
      call.block(callBound.plus(Duration.ofSeconds(30)));
      return null;
    } catch (RuntimeException e) {
      Throwable error = reactor.core.Exceptions.unwrap(e);
      String kind = error.getClass().getSimpleName() + ": " + String.valueOf(error.getMessage())
          .replaceAll("[0-9]+", "#");
      failures.computeIfAbsent(kind.substring(0, Math.min(kind.length(), 200)), k -> new AtomicInteger())
          .incrementAndGet();
      if (!(error instanceof CacheException)) {
        strangeErrors.add(error.toString());
      }
      return shortKind(String.valueOf(error.getMessage()));
    }
  }

  /** A failure in a few words, for timelines: the breaker's state, or the cause Redis or Lettuce gave. */
  private static String shortKind(String message) {
    if (message.contains("circuit breaker is OPEN")) {
      return "breaker open";
    }
    if (message.contains("circuit breaker is HALF_OPEN")) {
      return "breaker half-open";
    }
    if (message.contains("circuit breaker of the cluster master")) {
      return message.contains(" is HALF_OPEN ") ? "master's breaker half-open" : "master's breaker open";
    }
    for (String cause : List.of("CLUSTERDOWN", "MOVED", "ASK", "TRYAGAIN", "not connected", "Connection refused",
        "disconnected", "timed out", "timeout")) {
      if (message.contains(cause)) {
        return cause;
      }
    }
    return message.substring(0, Math.min(message.length(), 60));
  }

  /**
   * What the calls on a key met in {@code [from, to)}: runs of the same outcome, each with its start (ms after
   * {@code from}) and length, e.g. {@code "+0 not connected x12, +310 breaker open x400, +1320 ok"}.
   */
  String timeline(String key, long from, long to) {
    StringBuilder text = new StringBuilder();
    String current = null;
    int count = 0;
    for (Op op : journal(key)) {
      if (op.seq() == 0 || op.start() < from || op.start() >= to) {
        continue;
      }
      String outcome = op.ok() ? "ok" : op.failure();
      if (!outcome.equals(current)) {
        if (current != null) {
          text.append(" x").append(count).append(", ");
        }
        text.append('+').append(Duration.ofNanos(op.start() - from).toMillis()).append(' ').append(outcome);
        current = outcome;
        count = 0;
      }
      count++;
    }
    return current == null ? "no call" : text.append(" x").append(count).toString();
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the load and waits for its threads. */
  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread thread : threads) {
      thread.join(callBound.plus(Duration.ofSeconds(40)).toMillis());
    }
  }

  /** The backend under load. */
  RedisCacheBackend backend() {
    return backend;
  }

  /** The operations of a key so far, in order. */
  List<Op> journal(String key) {
    synchronized (journals.get(key)) {
      return List.copyOf(journals.get(key));
    }
  }

  List<Read> reads() {
    synchronized (reads) {
      return List.copyOf(reads);
    }
  }

  List<HealthSample> health() {
    synchronized (health) {
      return List.copyOf(health);
    }
  }

  List<String> strangeErrors() {
    return List.copyOf(strangeErrors);
  }

  /** How many successful writes (puts or deletes) of a key there have been. */
  long okWrites(String key) {
    return journal(key).stream().filter(op -> op.ok() && op.seq() > 0).count();
  }

  /** The first write or delete of a key that started at or after {@code since} and succeeded. */
  Optional<Op> firstOkWriteSince(String key, long since) {
    return journal(key).stream().filter(op -> op.start() >= since && op.ok()).findFirst();
  }

  /** The failures callers saw, by kind (exception class and message, numbers left out), most frequent first. */
  String failureKinds() {
    return failures.entrySet().stream()
        .sorted((a, b) -> Integer.compare(b.getValue().get(), a.getValue().get()))
        .limit(5)
        .map(e -> e.getValue().get() + " x " + e.getKey())
        .reduce((a, b) -> a + "; " + b).orElse("none");
  }

  /** Failed calls (writes, deletes, reads) that started in {@code [from, to)}. */
  long failedCalls(long from, long to) {
    return failedCalls(from, to, key -> true);
  }

  /** Failed calls (writes, deletes, reads) of the chosen keys that started in {@code [from, to)}. */
  long failedCalls(long from, long to, java.util.function.Predicate<String> chosen) {
    long writes = journals.keySet().stream().filter(chosen).flatMap(key -> journal(key).stream())
        .filter(op -> !op.ok() && op.start() >= from && op.start() < to).count();
    long failedReads = reads().stream()
        .filter(r -> chosen.test(r.key()) && r.failed() && r.start() >= from && r.start() < to).count();
    return writes + failedReads;
  }

  /** Calls (writes, deletes, reads) of the chosen keys that started in {@code [from, to)}. */
  long calls(long from, long to, java.util.function.Predicate<String> chosen) {
    long writes = journals.keySet().stream().filter(chosen).flatMap(key -> journal(key).stream())
        .filter(op -> op.seq() > 0 && op.start() >= from && op.start() < to).count();
    return writes + reads().stream()
        .filter(r -> chosen.test(r.key()) && r.start() >= from && r.start() < to).count();
  }

  /** All calls made so far. */
  long calls() {
    return journals.keySet().stream().mapToLong(key -> journal(key).size() - 1).sum() + reads().size();
  }

  /** Calls (writes, deletes, reads) that took longer than the call bound. */
  long overBound() {
    long bound = callBound.toNanos();
    long writes = journals.keySet().stream().flatMap(key -> journal(key).stream())
        .filter(op -> op.end() - op.start() > bound).count();
    return writes + reads().stream().filter(r -> r.end() - r.start() > bound).count();
  }

  /** The slowest call so far, in milliseconds. */
  long slowestMillis() {
    long writes = journals.keySet().stream().flatMap(key -> journal(key).stream())
        .mapToLong(op -> op.end() - op.start()).max().orElse(0);
    long read = reads().stream().mapToLong(r -> r.end() - r.start()).max().orElse(0);
    return Duration.ofNanos(Math.max(writes, read)).toMillis();
  }

  /**
   * The wrong reads among those that started at or after {@code since}, each described. Call it once the load is
   * closed: a read may return a write whose call has not ended yet, and the journal only holds ended calls.
   */
  List<String> wrongReads(long since) {
    Map<String, List<Op>> snapshot = new LinkedHashMap<>();
    journals.keySet().forEach(key -> snapshot.put(key, journal(key)));
    List<String> wrong = new ArrayList<>();
    for (Read read : reads()) {
      if (read.value() == null || read.start() < since) {
        continue;
      }
      String why = judge(read, snapshot.get(read.key()));
      if (why != null) {
        wrong.add(read.key() + " read '" + read.value() + "': " + why);
      }
    }
    return wrong;
  }

  /**
   * Checks what each key holds once the load has stopped: the value of its last acknowledged write, or of a
   * later write whose call failed (it may have landed), or a miss if the last acknowledged operation (or a later
   * failed one) was a delete. Anything else is an acknowledged write lost, or a stale value kept.
   *
   * @param finalValues what a read of each key returned after the load stopped (empty: a miss)
   * @return one line per key that holds something else
   */
  List<String> finalStateProblems(Map<String, Optional<String>> finalValues) {
    List<String> problems = new ArrayList<>();
    finalValues.forEach((key, value) -> {
      List<Op> ops = journal(key);
      int lastOk = ops.size() - 1;
      while (!ops.get(lastOk).ok()) {
        lastOk--;
      }
      boolean missAllowed = false;
      List<String> allowed = new ArrayList<>();
      for (Op op : ops.subList(lastOk, ops.size())) {
        if (op.delete()) {
          missAllowed = true;
        } else {
          allowed.add(RedisFaultTest.valueOf(key, op.seq()));
        }
      }
      if (value.isEmpty() ? !missAllowed : !allowed.contains(value.get())) {
        problems.add(key + " holds " + value.map(v -> "'" + v + "'").orElse("nothing") + "; last acknowledged: "
            + (ops.get(lastOk).delete() ? "a delete" : "v" + ops.get(lastOk).seq()) + ", "
            + (ops.size() - 1 - lastOk) + " failed operation(s) after it");
      }
    });
    return problems;
  }

  private static String judge(Read read, List<Op> ops) {
    String prefix = read.key() + "|v";
    if (!read.value().startsWith(prefix)) {
      return "the value of another key";
    }
    int version;
    try {
      version = Integer.parseInt(read.value().substring(prefix.length()));
    } catch (NumberFormatException e) {
      return "not a value any writer wrote";
    }
    if (version < 0 || version >= ops.size()) {
      return "a version not written (yet)";
    }
    Op written = ops.get(version);
    if (written.delete() || written.start() > read.end()) {
      return "a version not written before the read ended";
    }
    // The newest operation acknowledged before the read began: the read must not predate it. A writer's
    // operations end in order, so the last one that ended before the read started is found by bisection.
    int low = 0;
    int high = ops.size();
    while (low < high) {
      int middle = (low + high) >>> 1;
      if (ops.get(middle).end() < read.start()) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    for (int i = low - 1; i > version; i--) {
      Op later = ops.get(i);
      if (later.ok()) {
        return (later.delete() ? "deleted" : "overwritten by v" + later.seq()) + " "
            + Duration.ofNanos(read.start() - later.end()).toMillis() + " ms before the read started";
      }
    }
    return null;
  }
}
