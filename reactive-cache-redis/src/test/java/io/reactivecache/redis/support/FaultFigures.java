package io.reactivecache.redis.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Figures measured while fault tests run (time for the breaker to open, time to recover, calls over their bound,
 * wrong values served), printed to stdout and kept in {@code target/fault-figures.txt} so they can be quoted.
 * These are observations, never assertions.
 */
public final class FaultFigures {
  private static final Path FILE = Path.of("target", "fault-figures.txt");
  private static final Map<String, String> FIGURES = new TreeMap<>();

  private FaultFigures() {}

  /**
   * Records one figure and rewrites the file.
   *
   * @param scenario the scenario, e.g. {@code "row 1 redis dies"}
   * @param name what was measured
   * @param value the value with its unit
   */
  public static synchronized void record(String scenario, String name, Object value) {
    String key = scenario + " | " + name;
    FIGURES.put(key, String.valueOf(value));
    System.out.println("[fault-figure] " + key + " = " + value);
    StringBuilder text = new StringBuilder("# Figures measured by the fault tests (scenario | figure = value)\n");
    FIGURES.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
    try {
      Files.createDirectories(FILE.getParent());
      Files.writeString(FILE, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
