package io.reactivecache.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README's quick start compiling and true: the README block must be exactly {@link QuickStart}'s source
 * (which the build compiles), and running it must load once and then serve from the cache.
 */
class ReadmeQuickStartTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void readmeQuickStartIsTheCompiledQuickStartSource() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    int begin = readme.indexOf("<!-- quickstart:begin -->");
    int end = readme.indexOf("<!-- quickstart:end -->");
    assertThat(begin).as("README quick start markers").isNotNegative();
    assertThat(end).isGreaterThan(begin);
    String block = readme.substring(begin, end);
    String code = block.substring(block.indexOf("```java") + "```java".length(), block.lastIndexOf("```"));
    String source = Files.readString(
        ROOT.resolve("reactive-cache-examples/src/main/java/io/reactivecache/examples/QuickStart.java"));
    assertThat(code.strip()).isEqualTo(source.strip());
  }

  @Test
  void quickStartLoadsOnceThenServesFromTheCache() {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      QuickStart.main(new String[0]);
    } finally {
      System.setOut(original);
    }
    String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\\R");
    assertThat(lines).hasSize(3);
    assertThat(lines[0]).isEqualTo("User[id=42, name=Ada]").isEqualTo(lines[1]);
    assertThat(lines[2]).contains("hits=1", "misses=1", "loadSuccesses=1");
  }
}
