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
    List<String[]> checks = List.of(new String[] {Policies.OUR_LRU, Policies.TEXTBOOK_LRU, "LRU"},
        new String[] {Policies.OUR_LFU, Policies.TEXTBOOK_LFU, "LFU"}).stream()
        .filter(c -> policies.contains(c[0]) && policies.contains(c[1])).collect(Collectors.toList());

    out.println();
    out.println("hit ratio (%) — " + trace.name());
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "| %8s |", "size"));
    StringBuilder rule = new StringBuilder("|---------:|");
    for (String p : policies) {
      header.append(String.format(Locale.ROOT, " %12s |", p));
      rule.append("-------------:|");
    }
    for (String[] c : checks) {
      header.append(String.format(Locale.ROOT, " %-26s |", c[0] + " == textbook " + c[2] + "?"));
      rule.append(":---------------------------|");
    }
    out.println(header);
    out.println(rule);
    boolean[] allEqual = new boolean[checks.size()];
    java.util.Arrays.fill(allEqual, true);
    for (Map.Entry<Long, Map<String, Result>> row : bySize.entrySet()) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "| %8d |", row.getKey()));
      for (String p : policies) {
        line.append(String.format(Locale.ROOT, " %12.2f |", row.getValue().get(p).hitRatio()));
      }
      for (int i = 0; i < checks.size(); i++) {
        long ours = row.getValue().get(checks.get(i)[0]).hits();
        long textbook = row.getValue().get(checks.get(i)[1]).hits();
        allEqual[i] &= ours == textbook;
        line.append(String.format(Locale.ROOT, " %-26s |", ours == textbook
            ? "yes (" + ours + " hits each)" : "NO: " + ours + " vs " + textbook + " hits"));
      }
      out.println(line);
    }
    for (int i = 0; i < checks.size(); i++) {
      String[] c = checks.get(i);
      out.println(allEqual[i]
          ? "our " + c[0] + " EQUALS textbook " + c[2] + " exactly on " + trace.name()
              + " (same hit count at every size)"
          : "our " + c[0] + " DIFFERS from textbook " + c[2] + " on " + trace.name());
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
