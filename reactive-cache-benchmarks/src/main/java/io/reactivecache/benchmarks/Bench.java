package io.reactivecache.benchmarks;

import io.reactivecache.benchmarks.jmh.MemoryBenchmark;
import io.reactivecache.benchmarks.jmh.RedisBenchmark;
import io.reactivecache.benchmarks.jmh.RedisClusterBenchmark;
import io.reactivecache.benchmarks.jmh.SpringCacheableBenchmark;
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
 * Measures every candidate against its baseline in the same run and prints ratio tables (candidate / baseline
 * throughput, median over rounds) with allocation per operation, then the single-flight and
 * stale-while-revalidate measurements.
 *
 * <pre>
 * java -cp reactive-cache-benchmarks/target/benchmarks.jar io.reactivecache.benchmarks.Bench \
 *     [quick|full] [--only REGEX] [--threads 1,2] [--rounds N] [--out FILE.md] [--no-jmh] [--no-singleflight]
 * </pre>
 *
 * <p>Two methods, both robust to a noisy machine in their own way:
 * <ol>
 *   <li><b>Interleaved slices</b> ({@link Interleaved}): per pair, one JVM runs baseline and candidate in
 *       alternating 50 ms slices on the same threads; the ratio of each adjacent slice pair sees the same load, and
 *       the median over slices drops the slices a neighbour's burst of work fell on. Bytes per operation come from
 *       the per-thread allocation counter (exact).</li>
 *   <li><b>Alternating JMH forks</b>: short forks, baseline first in odd rounds and candidate first in even
 *       ones, with JMH's {@code -prof gc} for {@code gc.alloc.rate.norm}; median ratio over rounds.</li>
 * </ol>
 */
public final class Bench {

  /**
   * A candidate and the baseline it is judged against, the target ratio (0 for "information only"), whether it
   * needs Redis, and whether the quick mode runs it (full runs every pair).
   */
  record Pair(String name, Class<?> benchmark, String baseline, String candidate, double target, boolean redis,
      boolean quick) {}

  /** One fork's outcome. */
  /** One fork's result: its throughput in operations per microsecond, and the bytes it allocated per operation. */
  record Sample(double score, double allocPerOp) {}

  /**
   * The factor from a JMH throughput unit to operations per microsecond: each benchmark class reports in its own
   * {@code @OutputTimeUnit} (the cluster's in ms, printed as if in µs before, a thousand times too large).
   */
  static double perMicrosecond(String unit) {
    return switch (unit) {
      case "ops/ns" -> 1e3;
      case "ops/us" -> 1;
      case "ops/ms" -> 1e-3;
      case "ops/s" -> 1e-6;
      case "ops/min" -> 1e-6 / 60;
      default -> throw new IllegalStateException("a throughput unit this runner does not know: " + unit);
    };
  }

  static final List<Pair> PAIRS = List.of(
      new Pair("memory hit: cache.get(k) vs Mono.fromSupplier(getIfPresent) on a Caffeine with expireAfterWrite",
          MemoryBenchmark.class, "monoFromSupplierGetIfPresentExpiring", "cacheGet", 1.5, false, true),
      new Pair("memory hit: cache.get(k) vs Mono.fromSupplier(getIfPresent) on a plain Caffeine (no TTL check)",
          MemoryBenchmark.class, "monoFromSupplierGetIfPresent", "cacheGet", 0, false, true),
      new Pair("cachedMono fresh hit: cache.get(k, loader) vs Mono.fromFuture(asyncCache.get)",
          MemoryBenchmark.class, "asyncCacheFromFuture", "cacheGetWithLoader", 1.0, false, true),
      new Pair("cachedMono fresh hit: cache.get(k, loader) vs Spring @Cacheable on a Mono (CaffeineCacheManager, "
          + "async mode)", SpringCacheableBenchmark.class, "springCacheable", "cacheGetWithLoader", 3.0, false, true),
      new Pair("memory put: cache.put(k, v) vs Mono.fromRunnable(caffeine.put)", MemoryBenchmark.class,
          "monoFromRunnablePut", "cachePut", 0, false, true),
      new Pair("getAll 100 keys: cache.getAll vs Mono.fromSupplier(caffeine.getAllPresent)",
          MemoryBenchmark.class, "monoFromSupplierGetAllPresent100", "cacheGetAll100", 0, false, true),
      new Pair("(diagnosis) memory backend SPI get vs Mono.fromSupplier(caffeine.getIfPresent)",
          MemoryBenchmark.class, "monoFromSupplierGetIfPresent", "backendGet", 0, false, false),
      new Pair("(diagnosis) Caffeine configured as our ttl store (expiry, Scheduler ticker, caller-run "
          + "maintenance) vs plain, both via Mono.fromSupplier", MemoryBenchmark.class,
          "monoFromSupplierGetIfPresent", "monoFromSupplierGetIfPresentLikeOurs", 0, false, false),
      new Pair("(diagnosis) sketch of the proposed hit path (key checked once, no Caffeine expireAfter, one clock "
          + "read) vs Mono.fromSupplier(caffeine.getIfPresent)", MemoryBenchmark.class,
          "monoFromSupplierGetIfPresent", "sketchOfFixedHitPath", 0, false, false),
      new Pair("(diagnosis) Mono.fromSupplier(getIfPresent) vs raw caffeine.getIfPresent",
          MemoryBenchmark.class, "caffeineGetIfPresent", "monoFromSupplierGetIfPresent", 0, false, false),
      new Pair("Redis GET, 1 in flight: cache.get vs raw Lettuce GET", RedisBenchmark.class, "lettuceGet1",
          "cacheGet1", 0.9, true, true),
      new Pair("Redis GET, 64 in flight: cache.get vs raw Lettuce GET", RedisBenchmark.class, "lettuceGet64",
          "cacheGet64", 0.9, true, true),
      new Pair("Redis GET, 1 in flight: cache.get vs Redisson reactive getBucket(k, JSON codec).get()",
          RedisBenchmark.class, "redissonGet1", "cacheGet1", 1.0, true, true),
      new Pair("Redis GET, 64 in flight: cache.get vs Redisson reactive getBucket(k, JSON codec).get()",
          RedisBenchmark.class, "redissonGet64", "cacheGet64", 1.0, true, true),
      new Pair("Redis GET, 1 in flight: cache.get vs Spring Data Redis ReactiveRedisTemplate (JSON serializer)",
          RedisBenchmark.class, "springGet1", "cacheGet1", 1.0, true, true),
      new Pair("Redis GET, 64 in flight: cache.get vs Spring Data Redis ReactiveRedisTemplate (JSON serializer)",
          RedisBenchmark.class, "springGet64", "cacheGet64", 1.0, true, true),
      new Pair("Redis Cluster (3 masters) GET, 1 in flight: cache.get vs raw Lettuce cluster GET",
          RedisClusterBenchmark.class, "lettuceClusterGet1", "cacheClusterGet1", 0.9, true, true),
      new Pair("Redis Cluster (3 masters) GET, 64 in flight: cache.get vs raw Lettuce cluster GET",
          RedisClusterBenchmark.class, "lettuceClusterGet64", "cacheClusterGet64", 0.9, true, true),
      new Pair("Redis SET+TTL, 1 in flight: cache.put vs raw Lettuce SET EX", RedisBenchmark.class, "lettuceSet1",
          "cachePut1", 0.9, true, false),
      new Pair("Redis SET+TTL, 64 in flight: cache.put vs raw Lettuce SET EX", RedisBenchmark.class,
          "lettuceSet64", "cachePut64", 0.9, true, false),
      new Pair("(diagnosis) raw Lettuce GET + Mono.timeout vs raw GET, 1 in flight", RedisBenchmark.class,
          "lettuceGet1", "lettuceGet1Timeout", 0, true, false),
      new Pair("(diagnosis) raw Lettuce GET + timeout + Resilience4j breaker + retry vs raw GET, 1 in flight",
          RedisBenchmark.class, "lettuceGet1", "lettuceGet1Guarded", 0, true, false),
      new Pair("(diagnosis) raw Lettuce GET emitted off the I/O thread (publishOnScheduler, as our client) vs raw "
          + "GET, 1 in flight", RedisBenchmark.class, "lettuceGet1", "lettuceGet1PublishOn", 0, true, false),
      new Pair("(diagnosis) raw Lettuce async GET as a Mono vs raw reactive GET, 1 in flight", RedisBenchmark.class,
          "lettuceGet1", "lettuceAsyncGet1", 0, true, false),
      new Pair("two-level hit (memory over Redis) vs memory-only hit", RedisBenchmark.class, "memoryGet",
          "twoLevelGet", 0, true, false));

  private Bench() {}

  /** The 1, 5 and 15 minute load averages (Linux), to judge how noisy a run's machine was. */
  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " / " + parts[1] + " / " + parts[2] + " (1 / 5 / 15 min)";
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /**
   * Runs the comparison.
   *
   * @param args {@code [quick|full] [--only REGEX] [--threads 1,2] [--rounds N] [--out FILE.md] [--no-jmh]
   *     [--no-singleflight]}
   * @throws Exception if JMH fails or the report cannot be written
   */
  public static void main(String[] args) throws Exception {
    boolean full = false;
    Pattern only = null;
    int[] threads = {1, 2};
    Integer rounds = null;
    Path out = null;
    boolean singleFlight = true;
    boolean jmh = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "quick" -> full = false;
        case "full" -> full = true;
        case "--only" -> only = Pattern.compile(args[++i]);
        case "--threads" -> threads = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--out" -> out = Paths.get(args[++i]);
        case "--no-singleflight" -> singleFlight = false;
        case "--no-jmh" -> jmh = false;
        default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; usage: [quick|full] "
            + "[--only REGEX] [--threads 1,2] [--rounds N] [--out FILE.md] [--no-jmh] [--no-singleflight]");
      }
    }
    Settings settings = full ? Settings.FULL : Settings.QUICK;
    if (rounds != null) {
      settings = new Settings(rounds, settings.warmups, settings.warmupMillis, settings.iterations,
          settings.iterationMillis, settings.slices, settings.jmhQuickOnly);
    }
    boolean redis = redisReachable();
    List<Pair> pairs = new ArrayList<>();
    for (Pair p : PAIRS) {
      boolean selected = only != null ? only.matcher(p.name()).find() : full || p.quick();
      // The cluster pairs need a running cluster, named by REDIS_CLUSTER_NODES.
      boolean cluster = p.benchmark() != RedisClusterBenchmark.class || !RedisClusterBenchmark.nodes().isEmpty();
      if (selected && cluster && (redis || !p.redis())) {
        pairs.add(p);
      }
    }
    StringBuilder report = new StringBuilder();
    report.append(String.format(Locale.ROOT, "Bench %s, %s, %d CPUs, Java %s; threads %s; Redis %s; load average"
        + " at start %s%n%n", full ? "full" : "quick", LocalDateTime.now().withNano(0),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), Arrays.toString(threads),
        redis ? redisUrl() : "unreachable (Redis rows skipped)", loadAverage()));
    System.out.print(report);

    long start = System.nanoTime();
    String interleaved = interleaved(pairs, threads, settings);
    report.append(interleaved).append('\n');
    System.out.printf(Locale.ROOT, "%n%s%n(%.0f s)%n", interleaved, (System.nanoTime() - start) / 1e9);

    if (jmh) {
      List<Pair> jmhPairs = new ArrayList<>();
      for (Pair p : pairs) {
        if (!settings.jmhQuickOnly || (p.target() > 0 && !p.redis()) || only != null) {
          jmhPairs.add(p);
        }
      }
      start = System.nanoTime();
      String forks = forks(jmhPairs, threads, settings);
      report.append(forks).append('\n');
      System.out.printf(Locale.ROOT, "%n%s%n(%.0f s)%n", forks, (System.nanoTime() - start) / 1e9);
    }
    if (singleFlight) {
      String measured = SingleFlight.measure(full);
      System.out.println(measured);
      report.append('\n').append(measured);
    }
    report.append(String.format(Locale.ROOT, "%nLoad average at the end: %s%n", loadAverage()));
    if (out != null) {
      Files.writeString(out, report, StandardCharsets.UTF_8);
      System.out.println("wrote " + out);
    }
  }

  /**
   * How long each method runs. JMH: rounds of one fork per side, warm-up and measured iterations. Interleaved:
   * {@code slices} measured slice pairs of 50 ms after a warm-up of {@link #WARM_MILLIS} per side. Quick runs JMH
   * only for the memory pairs that have a target.
   *
   * <p>A full run warms each fork for 6 s. With 1.5 s, the forks measured the JIT still at work, more so on the side
   * with more code to compile: a fork of the cluster read's candidate printed per 500 ms iteration 25, 44, 52, 59,
   * 80, 103, 116, 132, then 110–132; raw Lettuce's 48, 52, 74, 78, 97, 120, 135, then 115–158. Measured from the
   * 4th to the 8th iteration, the pair came out at 0.72–0.97× (median 0.82×, 5 rounds); after 10 s of warm-up at
   * 0.95, 0.98, 1.07 and 1.00× (4 rounds).
   */
  record Settings(int rounds, int warmups, int warmupMillis, int iterations, int iterationMillis, int slices,
      boolean jmhQuickOnly) {
    static final Settings QUICK = new Settings(3, 2, 300, 3, 300, 15, true);
    static final Settings FULL = new Settings(3, 6, 1000, 5, 500, 40, false);
  }

  static final long SLICE_MILLIS = 50;
  /**
   * Each side's warm-up in an interleaved run. Shorter than a fork's: both sides run in one JVM, on largely the same
   * code (Reactor, Lettuce), and the median over the slices is not moved by a few slow first ones.
   */
  static final long WARM_MILLIS = 1500;

  /** Runs each pair in a JVM of its own with {@link Interleaved} and tabulates the slices. */
  static String interleaved(List<Pair> pairs, int[] threads, Settings s) throws IOException, InterruptedException {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "Interleaved slices: %d x (%d ms baseline + %d ms candidate) after %d ms "
        + "warm-up each, one JVM per pair; ratio = candidate / baseline throughput, median (min–max) over slices; "
        + "bytes/op exact (thread allocation counter)%n%n", s.slices(), SLICE_MILLIS, SLICE_MILLIS, WARM_MILLIS));
    b.append("| comparison | threads | baseline ops/µs | candidate ops/µs | ratio: median (min–max) | target "
        + "| bytes/op baseline → candidate |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|\n");
    String java = ProcessHandle.current().info().command().orElse("java");
    for (Pair pair : pairs) {
      for (int t : threads) {
        List<String> command = List.of(java, "-Xms512m", "-Xmx512m", "-cp", System.getProperty("java.class.path"),
            Interleaved.class.getName(), Integer.toString(PAIRS.indexOf(pair)), Integer.toString(t),
            Long.toString(WARM_MILLIS), Integer.toString(s.slices()), Long.toString(SLICE_MILLIS));
        // A pair's JVM that fails says why here (not in the report).
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(
            Path.of(System.getProperty("java.io.tmpdir"), "reactive-cache-bench-interleaved.err").toFile())).start();
        List<double[]> slices = new ArrayList<>();
        for (String line : new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
            .split("\n")) {
          if (line.startsWith("SLICE ")) {
            slices.add(Arrays.stream(line.substring(6).trim().split(" ")).mapToDouble(Double::parseDouble)
                .toArray());
          }
        }
        if (process.waitFor() != 0 || slices.isEmpty()) {
          b.append(String.format(Locale.ROOT, "| %s | %d | failed (exit %d) | | | | |%n", pair.name(), t,
              process.exitValue()));
          continue;
        }
        double[] base = slices.stream().mapToDouble(x -> x[0] / 1e6).toArray();
        double[] baseAlloc = slices.stream().mapToDouble(x -> x[2]).toArray();
        if (pair.candidate() == null) {
          b.append(String.format(Locale.ROOT, "| %s | %d | %s | – | – | – | %.0f |%n", pair.name(), t,
              fmt(median(base)), median(baseAlloc)));
          continue;
        }
        double[] cand = slices.stream().mapToDouble(x -> x[1] / 1e6).toArray();
        double[] candAlloc = slices.stream().mapToDouble(x -> x[3]).toArray();
        b.append(row(pair, t, base, cand, baseAlloc, candAlloc));
        System.out.print(b.substring(b.lastIndexOf("| " + pair.name())));
      }
    }
    return b.toString();
  }

  /** Runs alternating JMH forks per pair and tabulates them. */
  static String forks(List<Pair> pairs, int[] threads, Settings settings) throws RunnerException {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "Alternating JMH forks: %d rounds of one fork per side (%d x %d ms "
            + "warm-up, %d x %d ms measured), -prof gc; ratio median (min–max) over rounds%n%n", settings.rounds(),
        settings.warmups(), settings.warmupMillis(), settings.iterations(), settings.iterationMillis()));
    b.append("| comparison | threads | baseline ops/µs | candidate ops/µs | ratio: median (min–max) | target "
        + "| gc.alloc.rate.norm B/op baseline → candidate |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (Pair pair : pairs) {
      for (int t : threads) {
        int n = settings.rounds();
        double[] base = new double[n];
        double[] cand = new double[n];
        double[] baseAlloc = new double[n];
        double[] candAlloc = new double[n];
        for (int round = 0; round < n; round++) {
          boolean baselineFirst = round % 2 == 0;
          for (int k = 0; k < 2; k++) {
            boolean baseline = (k == 0) == baselineFirst;
            String method = baseline ? pair.baseline() : pair.candidate();
            if (method == null) {
              continue;
            }
            Sample sample = run(pair.benchmark(), method, t, settings);
            if (baseline) {
              base[round] = sample.score();
              baseAlloc[round] = sample.allocPerOp();
            } else {
              cand[round] = sample.score();
              candAlloc[round] = sample.allocPerOp();
            }
          }
        }
        if (pair.candidate() == null) {
          b.append(String.format(Locale.ROOT, "| %s | %d | %s | – | – | – | %.0f |%n", pair.name(), t,
              fmt(median(base)), median(baseAlloc)));
        } else {
          b.append(row(pair, t, base, cand, baseAlloc, candAlloc));
        }
        System.out.print(b.substring(b.lastIndexOf("| " + pair.name())));
      }
    }
    return b.toString();
  }

  private static String row(Pair pair, int threads, double[] base, double[] cand, double[] baseAlloc,
      double[] candAlloc) {
    double[] ratio = new double[base.length];
    for (int i = 0; i < base.length; i++) {
      ratio[i] = cand[i] / base[i];
    }
    double m = median(ratio);
    String target = pair.target() == 0 ? "–"
        : String.format(Locale.ROOT, "≥ %.1f× %s", pair.target(), m >= pair.target() ? "met" : "**missed**");
    return String.format(Locale.ROOT, "| %s | %d | %s | %s | %.3f× (%.3f–%.3f) | %s | %.0f → %.0f |%n",
        pair.name(), threads, fmt(median(base)), fmt(median(cand)), m, Arrays.stream(ratio).min().orElse(0),
        Arrays.stream(ratio).max().orElse(0), target, median(baseAlloc), median(candAlloc));
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
        .jvmArgsAppend("-Xms512m", "-Xmx512m")
        .shouldFailOnError(true)
        .verbosity(VerboseMode.SILENT)
        .build();
    Collection<RunResult> results = new Runner(options).run();
    RunResult result = results.iterator().next();
    Result<?> alloc = result.getSecondaryResults().get("gc.alloc.rate.norm");
    return new Sample(result.getPrimaryResult().getScore() * perMicrosecond(result.getPrimaryResult().getScoreUnit()),
        alloc == null ? Double.NaN : alloc.getScore());
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
