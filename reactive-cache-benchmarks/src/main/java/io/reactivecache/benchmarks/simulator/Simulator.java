package io.reactivecache.benchmarks.simulator;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Replays real block-access traces through our memory backend (each strategy, through the SPI) and through two
 * controls (raw Caffeine, a textbook LRU), and prints the hit ratio per policy per cache size.
 *
 * <p>Hit ratio = hits / requests x 100, every request counted (cold misses included), each cache empty at the
 * start. It also says whether our {@code lru} made exactly the same hits as the textbook LRU.
 *
 * <pre>
 * java -cp reactive-cache-benchmarks/target/benchmarks.jar io.reactivecache.benchmarks.simulator.Simulator \
 *     [quick|full] [--traces DIR] [--csv FILE] [--policies ttl,lru,...]
 * </pre>
 * {@code quick} (default): the LIRS traces and OLTP at a few sizes. {@code full}: every trace, more sizes.
 * The traces directory is {@code --traces DIR}, else the environment variable {@value #TRACES_ENV}; the files and
 * where to get them are listed in {@code docs/PERFORMANCE.md} (section "Traces").
 */
public final class Simulator {
  /** The environment variable naming the traces directory when {@code --traces} is not given. */
  static final String TRACES_ENV = "REACTIVECACHE_TRACES";

  private Simulator() {}

  /**
   * Runs the simulator.
   *
   * @param args {@code [quick|full] [--traces DIR] [--csv FILE] [--policies a,b,...]}
   * @throws IOException if a trace cannot be read or the CSV cannot be written
   */
  public static void main(String[] args) throws IOException {
    boolean full = false;
    Path traces = null;
    Path csv = null;
    List<String> only = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "quick" -> full = false;
        case "full" -> full = true;
        case "--traces" -> traces = Paths.get(args[++i]);
        case "--csv" -> csv = Paths.get(args[++i]);
        case "--policies" -> only = List.of(args[++i].split(","));
        default -> throw new IllegalArgumentException("unknown argument '" + args[i]
            + "'; usage: [quick|full] [--traces DIR] [--csv FILE] [--policies a,b,...]");
      }
    }
    if (traces == null) {
      traces = defaultTracesDir();
    }
    Map<String, LongFunction<Policy>> policies = Policies.all();
    if (only != null) {
      policies.keySet().retainAll(only);
    }
    List<Result> results = new ArrayList<>();
    System.out.printf(Locale.ROOT, "traces: %s, mode: %s, policies: %s%n%n",
        traces.toAbsolutePath().normalize(), full ? "full" : "quick", String.join(", ", policies.keySet()));
    for (Map.Entry<String, long[]> plan : plan(full).entrySet()) {
      Path file = traces.resolve(plan.getKey());
      long loadStart = System.nanoTime();
      Trace trace = Trace.load(file);
      System.out.printf(Locale.ROOT, "== %s: %,d requests, %,d distinct keys (loaded in %.1f s)%n",
          trace.name(), trace.requests(), trace.distinctKeys(), (System.nanoTime() - loadStart) / 1e9);
      List<Result> traceResults = new ArrayList<>();
      for (long size : plan.getValue()) {
        for (Map.Entry<String, LongFunction<Policy>> policy : policies.entrySet()) {
          traceResults.add(replay(trace, size, policy.getKey(), policy.getValue()));
        }
      }
      Report.print(System.out, trace, traceResults, List.copyOf(policies.keySet()));
      results.addAll(traceResults);
    }
    if (csv != null) {
      writeCsv(csv, results);
      System.out.println("wrote " + csv);
    }
  }

  /** Trace file (relative to the traces directory) to the cache sizes replayed. */
  static Map<String, long[]> plan(boolean full) {
    Map<String, long[]> plan = new LinkedHashMap<>();
    if (full) {
      plan.put("lirs/gli.trace.gz", new long[] {250, 500, 750, 1000, 1250, 1500, 1750, 2000});
      plan.put("lirs/multi2.trace.gz", new long[] {500, 1000, 1500, 2000, 2500, 3000, 3500, 4000});
      plan.put("arc/OLTP.lis.gz", new long[] {1000, 2000, 4000, 6000, 8000, 10000, 12000, 14000, 16000});
      plan.put("arc/P3.lis.gz", new long[] {8192, 16384, 32768, 65536, 131072, 262144});
      plan.put("arc/P12.lis.gz", new long[] {8192, 16384, 32768, 65536, 131072, 262144});
    } else {
      plan.put("lirs/gli.trace.gz", new long[] {250, 500, 1000, 1500, 2000});
      plan.put("lirs/multi2.trace.gz", new long[] {500, 1000, 2000, 3000, 4000});
      plan.put("arc/OLTP.lis.gz", new long[] {1000, 2000, 4000, 8000, 16000});
    }
    return plan;
  }

  static Result replay(Trace trace, long size, String policyName, LongFunction<Policy> factory) {
    long hits = 0;
    long start = System.nanoTime();
    try (Policy policy = factory.apply(size)) {
      for (long key : trace.keys()) {
        if (policy.request(key)) {
          hits++;
        }
      }
    }
    long nanos = System.nanoTime() - start;
    return new Result(trace.name(), size, policyName, trace.requests(), hits, nanos);
  }

  private static Path defaultTracesDir() {
    String fromEnv = System.getenv(TRACES_ENV);
    if (fromEnv == null || fromEnv.isBlank()) {
      throw new IllegalArgumentException("no traces directory: pass --traces DIR or set " + TRACES_ENV
          + " to a directory holding lirs/gli.trace.gz, lirs/multi2.trace.gz and arc/OLTP.lis.gz (full mode also"
          + " arc/P3.lis.gz, arc/P12.lis.gz); docs/PERFORMANCE.md, section Traces, says where to get them");
    }
    return Paths.get(fromEnv);
  }

  private static void writeCsv(Path csv, List<Result> results) {
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(csv, StandardCharsets.UTF_8))) {
      out.println(Result.CSV_HEADER);
      results.forEach(r -> out.println(r.toCsv()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads results written with {@code --csv}. */
  static List<Result> readCsv(Path csv) throws IOException {
    try (Stream<String> lines = Files.lines(csv, StandardCharsets.UTF_8)) {
      return lines.skip(1).filter(l -> !l.isBlank()).map(Result::fromCsv).collect(Collectors.toList());
    }
  }
}
