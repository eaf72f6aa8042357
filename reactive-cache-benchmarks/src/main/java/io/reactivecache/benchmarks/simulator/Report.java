package io.reactivecache.benchmarks.simulator;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Prints one trace's results: hit ratios, the LRU equivalence check, and how long each replay took. */
final class Report {
  private Report() {}

  static void print(PrintStream out, Trace trace, List<Result> results, List<String> policies) {
    Map<Long, Map<String, Result>> bySize = results.stream().collect(Collectors.groupingBy(Result::size,
        TreeMap::new, Collectors.toMap(Result::policy, r -> r)));
    boolean lruCheck = policies.contains(Policies.OUR_LRU) && policies.contains(Policies.TEXTBOOK_LRU);

    out.println();
    out.println("hit ratio (%) — " + trace.name());
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "| %8s |", "size"));
    StringBuilder rule = new StringBuilder("|---------:|");
    for (String p : policies) {
      header.append(String.format(Locale.ROOT, " %12s |", p));
      rule.append("-------------:|");
    }
    if (lruCheck) {
      header.append(" lru == textbook LRU? |");
      rule.append(":---------------------|");
    }
    out.println(header);
    out.println(rule);
    boolean allEqual = true;
    for (Map.Entry<Long, Map<String, Result>> row : bySize.entrySet()) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "| %8d |", row.getKey()));
      for (String p : policies) {
        line.append(String.format(Locale.ROOT, " %12.2f |", row.getValue().get(p).hitRatio()));
      }
      if (lruCheck) {
        long ours = row.getValue().get(Policies.OUR_LRU).hits();
        long textbook = row.getValue().get(Policies.TEXTBOOK_LRU).hits();
        allEqual &= ours == textbook;
        line.append(String.format(Locale.ROOT, " %-20s |", ours == textbook
            ? "yes (" + ours + " hits)" : "NO: " + ours + " vs " + textbook));
      }
      out.println(line);
    }
    if (lruCheck) {
      out.println(allEqual
          ? "our lru equals textbook LRU exactly on " + trace.name() + " (same hit count at every size)"
          : "our lru DIFFERS from textbook LRU on " + trace.name());
    }
    out.println();
    out.println("replay time — " + trace.name() + " (" + String.format(Locale.ROOT, "%,d", trace.requests())
        + " requests per replay)");
    for (String p : policies) {
      long nanos = results.stream().filter(r -> r.policy().equals(p)).mapToLong(Result::nanos).sum();
      long requests = results.stream().filter(r -> r.policy().equals(p)).mapToLong(Result::requests).sum();
      out.printf(Locale.ROOT, "  %-14s %8.1f s total, %7.2f M requests/s%n", p, nanos / 1e9,
          requests / (nanos / 1e3));
    }
    out.println();
  }
}
