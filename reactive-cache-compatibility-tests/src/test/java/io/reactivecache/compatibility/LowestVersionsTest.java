package io.reactivecache.compatibility;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The suites of this module prove the README's "lowest supported" versions only if they run on exactly those
 * versions: every dependency of the README's table must be loaded here from the jar of the version the table states.
 */
class LowestVersionsTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");
  /** A class of each artifact, to find the jar it is loaded from. */
  private static final Map<String, String> CLASS_OF_ARTIFACT = Map.of(
      "reactor-core", "reactor.core.publisher.Flux",
      "caffeine", "com.github.benmanes.caffeine.cache.Caffeine",
      "micrometer-core", "io.micrometer.core.instrument.MeterRegistry",
      "lettuce-core", "io.lettuce.core.RedisClient",
      "jackson-databind", "tools.jackson.databind.json.JsonMapper",
      "resilience4j-circuitbreaker", "io.github.resilience4j.circuitbreaker.CircuitBreaker",
      "resilience4j-retry", "io.github.resilience4j.retry.Retry");

  @Test
  void everyDependencyIsLoadedInTheLowestVersionTheReadmeStates() throws Exception {
    Map<String, String> claimed = lowestVersionsInTheReadme();
    assertThat(claimed).as("artifacts in the README's versions table").containsOnlyKeys(CLASS_OF_ARTIFACT.keySet());
    for (Map.Entry<String, String> claim : claimed.entrySet()) {
      Class<?> type = Class.forName(CLASS_OF_ARTIFACT.get(claim.getKey()));
      Path jar = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
      assertThat(jar.getFileName().toString())
          .as("jar of %s on this class path (the README claims %s as the lowest)", claim.getKey(), claim.getValue())
          .isEqualTo(claim.getKey() + "-" + claim.getValue() + ".jar");
    }
  }

  /**
   * Artifact to version, from the README table between {@code <!-- versions:begin -->} and {@code <!-- versions:end -->}:
   * the first column names the artifacts in backticks ({@code `-retry`} after {@code `resilience4j-circuitbreaker`}
   * is short for {@code resilience4j-retry}), the third starts with the lowest version.
   */
  static Map<String, String> lowestVersionsInTheReadme() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    int begin = readme.indexOf("<!-- versions:begin -->");
    int end = readme.indexOf("<!-- versions:end -->");
    assertThat(begin).as("README versions table markers").isNotNegative();
    assertThat(end).isGreaterThan(begin);
    Map<String, String> versions = new LinkedHashMap<>();
    for (String row : readme.substring(begin, end).split("\n")) {
      String[] cells = row.split("\\|");
      if (cells.length < 5 || !cells[1].contains("`")) {
        continue; // markers, header, separator
      }
      String version = cells[3].strip().split("\\s+")[0];
      for (String artifact : artifacts(cells[1])) {
        versions.put(artifact, version);
      }
    }
    assertThat(versions).as("rows of the README versions table").hasSizeGreaterThanOrEqualTo(6);
    return versions;
  }

  private static List<String> artifacts(String cell) {
    List<String> artifacts = new ArrayList<>();
    Matcher matcher = BACKTICKED.matcher(cell);
    String previous = null;
    while (matcher.find()) {
      String name = matcher.group(1);
      if (name.startsWith("-") && previous != null) {
        name = previous.substring(0, previous.indexOf('-')) + name;
      } else if (name.contains(".")) {
        continue; // a group id such as tools.jackson
      }
      artifacts.add(name);
      previous = name;
    }
    return artifacts;
  }
}
