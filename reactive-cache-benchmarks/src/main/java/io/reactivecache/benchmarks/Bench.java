package io.reactivecache.benchmarks;

import io.reactivecache.benchmarks.jmh.MemoryBenchmark;
import io.reactivecache.benchmarks.jmh.RedisBenchmark;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every candidate against its baseline in the same run, in alternating short JMH forks, and prints the median
 * ratio (candidate / baseline throughput) with the allocation per operation from JMH's GC profiler, then the
 * single-flight and stale-while-revalidate measurements.
 *
 * <pre>
 * java -cp reactive-cache-benchmarks/target/benchmarks.jar io.reactivecache.benchmarks.Bench \
 *     [quick|full] [--only REGEX] [--threads 1,2] [--rounds N] [--out FILE.md]
 * </pre>
 * A noisy machine moves absolute throughput by tens of percent between forks; a ratio of two forks taken back to
 * back moves far less, and the median over rounds (baseline first in odd rounds, candidate first in even ones)
 * discards the rounds a neighbour's burst of work fell on. Allocation per operation hardly moves at all.
 */
public final class Bench {

  /**
   * A candidate and the baseline it is judged against, the target ratio (0 for "information only"), whether it
   * needs Redis, and whether the quick mode runs it (full runs every pair).
   */
  record Pair(String name, Class<?> benchmark, String baseline, String candidate, double target, boolean redis,
      boolean quick) {}

  /** One fork's outcome. */
  record Sample(double score, double allocPerOp) {}

  static final List<Pair> PAIRS = List.of(
      new Pair("memory hit: cache.get(k) vs Mono.fromSupplier(caffeine.getIfPresent)", MemoryBenchmark.class,
          "monoFromSupplierGetIfPresent", "cacheGet", 0.6, false, true),
      new Pair("cachedMono fresh hit: cache.get(k, loader) vs Mono.fromFuture(asyncCache.get)",
          MemoryBenchmark.class, "asyncCacheFromFuture", "cacheGetWithLoader", 1.0, false, true),
      new Pair("memory put: cache.put(k, v) vs Mono.fromRunnable(caffeine.put)", MemoryBenchmark.class,
          "monoFromRunnablePut", "cachePut", 0, false, false),
      new Pair("getAll 100 keys: cache.getAll vs Mono.fromSupplier(caffeine.getAllPresent)",
          MemoryBenchmark.class, "monoFromSupplierGetAllPresent100", "cacheGetAll100", 0, false, false),
      new Pair("(diagnosis) memory backend SPI get vs Mono.fromSupplier(caffeine.getIfPresent)",
          MemoryBenchmark.class, "monoFromSupplierGetIfPresent", "backendGet", 0, false, false),
      new Pair("(diagnosis) Mono.fromSupplier(getIfPresent) vs raw caffeine.getIfPresent",
          MemoryBenchmark.class, "caffeineGetIfPresent", "monoFromSupplierGetIfPresent", 0, false, false),
      new Pair("Redis GET, 1 in flight: cache.get vs raw Lettuce GET", RedisBenchmark.class, "lettuceGet1",
          "cacheGet1", 0.9, true, true),
      new Pair("Redis GET, 64 in flight: cache.get vs raw Lettuce GET", RedisBenchmark.class, "lettuceGet64",
          "cacheGet64", 0.9, true, true),
      new Pair("Redis SET+TTL, 1 in flight: cache.put vs raw Lettuce SET EX", RedisBenchmark.class, "lettuceSet1",
          "cachePut1", 0.9, true, false),
      new Pair("Redis SET+TTL, 64 in flight: cache.put vs raw Lettuce SET EX", RedisBenchmark.class,
          "lettuceSet64", "cachePut64", 0.9, true, false),
      new Pair("two-level hit (memory over Redis) vs memory-only hit", RedisBenchmark.class, "memoryGet",
          "twoLevelGet", 0, true, false));

  private Bench() {}

  /**
   * Runs the comparison.
   *
   * @param args {@code [quick|full] [--only REGEX] [--threads 1,2] [--rounds N] [--out FILE.md] [--no-singleflight]}
   * @throws Exception if JMH fails or the report cannot be written
   */
  public static void main(String[] args) throws Exception {
    boolean full = false;
    Pattern only = null;
    int[] threads = {1, 2};
    Integer rounds = null;
    Path out = null;
    boolean singleFlight = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "quick" -> full = false;
        case "full" -> full = true;
        case "--only" -> only = Pattern.compile(args[++i]);
        case "--threads" -> threads = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--out" -> out = Paths.get(args[++i]);
        case "--no-singleflight" -> singleFlight = false;
        default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; usage: [quick|full] "
            + "[--only REGEX] [--threads 1,2] [--rounds N] [--out FILE.md] [--no-singleflight]");
      }
    }
    Settings settings = full ? Settings.FULL : Settings.QUICK;
    if (rounds != null) {
      settings = new Settings(rounds, settings.warmups, settings.warmupMillis, settings.iterations,
          settings.iterationMillis);
    }
    boolean redis = redisReachable();
    List<Pair> pairs = new ArrayList<>();
    for (Pair p : PAIRS) {
      boolean selected = only != null ? only.matcher(p.name()).find() : full || p.quick();
      if (selected && (redis || !p.redis())) {
        pairs.add(p);
      }
    }
    StringBuilder report = new StringBuilder();
    report.append(String.format(Locale.ROOT, "Bench %s, %s; %d rounds of 1 fork each, %d x %d ms warm-up, "
            + "%d x %d ms measured, threads %s, Redis %s%n%n", full ? "full" : "quick", LocalDateTime.now(),
        settings.rounds, settings.warmups, settings.warmupMillis, settings.iterations, settings.iterationMillis,
        Arrays.toString(threads), redis ? RedisBenchmark.class.getSimpleName() + " at " + redisUrl()
            : "unreachable (Redis rows skipped)"));
    System.out.print(report);

    // samples[pair][thread][round][0 = baseline, 1 = candidate]
    Sample[][][][] samples = new Sample[pairs.size()][threads.length][settings.rounds][2];
    long start = System.nanoTime();
    for (int round = 0; round < settings.rounds; round++) {
      for (int t = 0; t < threads.length; t++) {
        for (int p = 0; p < pairs.size(); p++) {
          Pair pair = pairs.get(p);
          boolean baselineFirst = round % 2 == 0;
          for (int k = 0; k < 2; k++) {
            boolean baseline = (k == 0) == baselineFirst;
            String method = baseline ? pair.baseline() : pair.candidate();
            if (method != null) {
              samples[p][t][round][baseline ? 0 : 1] = run(pair.benchmark(), method, threads[t], settings);
            }
          }
        }
      }
      System.out.printf(Locale.ROOT, "round %d/%d done (%.0f s)%n", round + 1, settings.rounds,
          (System.nanoTime() - start) / 1e9);
    }
    String table = table(pairs, threads, samples);
    System.out.println();
    System.out.println(table);
    report.append(table);
    if (singleFlight) {
      String measured = SingleFlight.measure(full);
      System.out.println(measured);
      report.append('\n').append(measured);
    }
    if (out != null) {
      Files.writeString(out, report, StandardCharsets.UTF_8);
      System.out.println("wrote " + out);
    }
  }

  record Settings(int rounds, int warmups, int warmupMillis, int iterations, int iterationMillis) {
    static final Settings QUICK = new Settings(3, 2, 300, 3, 300);
    static final Settings FULL = new Settings(5, 3, 500, 5, 500);
  }

  static Sample run(Class<?> benchmark, String method, int threads, Settings s) throws RunnerException {
    Options options = new OptionsBuilder()
        .include("^" + Pattern.quote(benchmark.getName() + "." + method) + "$")
        .forks(1)
        .warmupIterations(s.warmups())
        .warmupTime(TimeValue.milliseconds(s.warmupMillis()))
        .measurementIterations(s.iterations())
        .measurementTime(TimeValue.milliseconds(s.iterationMillis()))
        .threads(threads)
        .addProfiler(GCProfiler.class)
        .jvmArgsAppend("-Xms1g", "-Xmx1g")
        .shouldFailOnError(true)
        .verbosity(VerboseMode.SILENT)
        .build();
    Collection<RunResult> results = new Runner(options).run();
    RunResult result = results.iterator().next();
    Result<?> alloc = result.getSecondaryResults().get("gc.alloc.rate.norm");
    return new Sample(result.getPrimaryResult().getScore(), alloc == null ? Double.NaN : alloc.getScore());
  }

  static String table(List<Pair> pairs, int[] threads, Sample[][][][] samples) {
    StringBuilder b = new StringBuilder();
    b.append("| comparison | threads | baseline ops/µs (median) | candidate ops/µs (median) | ratio: median "
        + "(min–max) | target | alloc B/op baseline → candidate |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (int p = 0; p < pairs.size(); p++) {
      Pair pair = pairs.get(p);
      // Redis benchmarks report per millisecond; keep every row in operations per microsecond.
      double unit = pair.benchmark() == RedisBenchmark.class ? 1e-3 : 1;
      for (int t = 0; t < threads.length; t++) {
        Sample[][] rounds = samples[p][t];
        double[] base = Arrays.stream(rounds).mapToDouble(r -> r[0].score() * unit).toArray();
        double[] baseAlloc = Arrays.stream(rounds).mapToDouble(r -> r[0].allocPerOp()).toArray();
        if (pair.candidate() == null) {
          b.append(String.format(Locale.ROOT, "| %s | %d | %s | – | – | – | %.0f |%n", pair.name(), threads[t],
              fmt(median(base)), median(baseAlloc)));
          continue;
        }
        double[] cand = Arrays.stream(rounds).mapToDouble(r -> r[1].score() * unit).toArray();
        double[] candAlloc = Arrays.stream(rounds).mapToDouble(r -> r[1].allocPerOp()).toArray();
        double[] ratio = new double[rounds.length];
        for (int i = 0; i < rounds.length; i++) {
          ratio[i] = cand[i] / base[i];
        }
        double m = median(ratio);
        String target = pair.target() == 0 ? "–"
            : String.format(Locale.ROOT, "≥ %.1f× %s", pair.target(), m >= pair.target() ? "met" : "**MISSED**");
        b.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %.3f× (%.3f–%.3f) | %s | %.0f → %.0f |%n",
            pair.name(), threads[t], fmt(median(base)), fmt(median(cand)), m,
            Arrays.stream(ratio).min().orElse(0), Arrays.stream(ratio).max().orElse(0), target,
            median(baseAlloc), median(candAlloc)));
      }
    }
    return b.toString();
  }

  private static String fmt(double opsPerMicro) {
    return opsPerMicro >= 0.1 ? String.format(Locale.ROOT, "%.3f", opsPerMicro)
        : String.format(Locale.ROOT, "%.5f", opsPerMicro);
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static String redisUrl() {
    String url = System.getenv("REDIS_URL");
    return url == null || url.isBlank() ? "redis://127.0.0.1:6379" : url;
  }

  private static boolean redisReachable() {
    try (Socket socket = new Socket()) {
      URI uri = URI.create(redisUrl());
      socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort()), 1000);
      return true;
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }

}
