package io.reactivecache.benchmarks.simulator;

import java.util.Locale;

/** The outcome of replaying one trace through one policy at one cache size. */
record Result(String trace, long size, String policy, long requests, long hits, long nanos) {
  static final String CSV_HEADER = "trace,size,policy,requests,hits,hit_ratio,millis";

  double hitRatio() {
    return requests == 0 ? 0 : hits * 100.0 / requests;
  }

  String toCsv() {
    return String.format(Locale.ROOT, "%s,%d,%s,%d,%d,%.4f,%d", trace, size, policy, requests, hits, hitRatio(),
        nanos / 1_000_000);
  }

  static Result fromCsv(String line) {
    String[] f = line.split(",");
    return new Result(f[0], Long.parseLong(f[1]), f[2], Long.parseLong(f[3]), Long.parseLong(f[4]),
        Long.parseLong(f[6]) * 1_000_000);
  }
}
