package io.reactivecache.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheStats;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The demo prints its stats under the names a user finds in {@link CacheStats} (and in the README's Stats table), and
 * the README shows the line the demo prints.
 */
class DemoStatsNamesTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern NAME = Pattern.compile("(\\w+)=");

  @Test
  void demoAndReadmePrintTheStatsUnderTheirCacheStatsNames() throws IOException {
    String demo = Files.readString(
        ROOT.resolve("reactive-cache-examples/src/main/java/io/reactivecache/examples/Demo.java"));
    String readme = Files.readString(ROOT.resolve("README.md"));
    List<String> printed = names(between(demo, "say(\"4. stats: ", ");"));
    List<String> shown = names(between(readme, "4. stats: ", "\n"));

    List<String> accessors = Arrays.stream(CacheStats.class.getMethods())
        .filter(method -> method.getParameterCount() == 0 && !Modifier.isStatic(method.getModifiers()))
        .map(Method::getName)
        .toList();
    assertThat(printed).as("names the demo prints").isNotEmpty().allMatch(accessors::contains);
    assertThat(shown).as("names in the README's demo output").isEqualTo(printed);
  }

  private static String between(String text, String start, String end) {
    int from = text.indexOf(start);
    assertThat(from).as("'%s' found", start).isNotNegative();
    return text.substring(from, text.indexOf(end, from));
  }

  private static List<String> names(String text) {
    List<String> names = new ArrayList<>();
    Matcher matcher = NAME.matcher(text);
    while (matcher.find()) {
      names.add(matcher.group(1));
    }
    return names;
  }
}
