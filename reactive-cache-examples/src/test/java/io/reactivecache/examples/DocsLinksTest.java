package io.reactivecache.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the documentation true to the repository it ships in: every relative link of README.md and docs/*.md
 * (anchors included) reaches a file of the repository, no file cites material that is not in the repository, every
 * test a doc names exists, and docs/core-tests.md lists every core test class.
 */
class DocsLinksTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  /** {@code [text](target)} and {@code ![alt](target)}; the target ends at a space (a title) or the parenthesis. */
  private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)[^)]*\\)");
  /** A test class in backticks, optionally with a method: {@code `FooTest`}, {@code `BarIT.someMethod`}. */
  private static final Pattern TEST_NAME = Pattern.compile("`([A-Z][A-Za-z0-9]*(?:Test|IT))(?:[.#]([a-z][A-Za-z0-9_]*))?`");
  /**
   * Citations of material kept outside the repository while it was written (the design notes, the fault list,
   * the seed's reference, the trace collection): a clone does not have them, so the repository must not cite them.
   * Built from parts so that this file does not match itself.
   */
  private static final Pattern OUTSIDE_CITATION = Pattern.compile(String.join("|",
      Pattern.quote("../" + "shared"), Pattern.quote("shared" + "/seed"), Pattern.quote("shared" + "/traces"),
      Pattern.quote("/work/" + "shared"), Pattern.quote("cache-api-" + "reference"),
      "\\b" + "DESIGN" + "\\b", "\\b" + "RELIABILITY" + "\\b"));
  /** Text files of the repository worth scanning for citations (sources, docs, scripts, build files). */
  private static final Pattern SCANNED = Pattern.compile(".*\\.(java|md|xml|properties|sh)$|.*/(bench|simulate|run)$");

  @Test
  void everyRelativeLinkOfTheDocsReachesAFileOfTheRepository() {
    List<String> broken = new ArrayList<>();
    for (Path doc : docs()) {
      for (String target : links(doc)) {
        if (target.matches("^[a-z][a-z0-9+.-]*:.*")) {
          continue; // http:, https:, mailto: — not ours to check offline
        }
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
        if (!resolved.startsWith(ROOT) || !Files.exists(resolved)) {
          broken.add(ROOT.relativize(doc) + ": " + target + " (no such file in the repository)");
        } else if (anchor != null && resolved.toString().endsWith(".md") && !anchors(resolved).contains(anchor)) {
          broken.add(ROOT.relativize(doc) + ": " + target + " (no heading with that anchor in "
              + ROOT.relativize(resolved) + ")");
        }
      }
    }
    assertThat(broken).as("links that lead nowhere; fix the link or the file it names").isEmpty();
  }

  @Test
  void noFileCitesMaterialOutsideTheRepository() throws IOException {
    Path self = ROOT.resolve("reactive-cache-examples/src/test/java/io/reactivecache/examples/DocsLinksTest.java");
    List<String> citations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(ROOT)) {
      for (Path file : files.filter(Files::isRegularFile).filter(DocsLinksTest::isScanned).toList()) {
        if (file.equals(self)) {
          continue;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
          Matcher matcher = OUTSIDE_CITATION.matcher(lines.get(i));
          if (matcher.find()) {
            citations.add(ROOT.relativize(file) + ":" + (i + 1) + ": " + matcher.group());
          }
        }
      }
    }
    assertThat(citations)
        .as("citations of files a clone does not have; say it in the repository's own words, or copy what is "
            + "needed into docs/ (docs/reliability.md lists the fault scenarios)")
        .isEmpty();
  }

  @Test
  void everyTestTheDocsNameExists() {
    Map<String, Path> tests = testSources();
    List<String> missing = new ArrayList<>();
    for (Path doc : docs()) {
      Matcher matcher = TEST_NAME.matcher(read(doc));
      while (matcher.find()) {
        Path source = tests.get(matcher.group(1));
        String method = matcher.group(2);
        if (source == null) {
          missing.add(ROOT.relativize(doc) + ": " + matcher.group(1));
        } else if (method != null && !read(source).contains(" " + method + "(")) {
          missing.add(ROOT.relativize(doc) + ": " + matcher.group(1) + "." + method);
        }
      }
    }
    assertThat(missing).as("tests named in the docs that do not exist (renamed or removed?)").isEmpty();
  }

  @Test
  void coreTestsDocListsEveryCoreTestClass() {
    String doc = read(ROOT.resolve("docs/core-tests.md"));
    List<String> unlisted = testSources().entrySet().stream()
        .filter(test -> test.getValue().startsWith(ROOT.resolve("reactive-cache-core")))
        .map(Map.Entry::getKey)
        .filter(name -> name.endsWith("Test") && !doc.contains("`" + name + "`"))
        .sorted()
        .toList();
    assertThat(unlisted).as("core test classes without a row in docs/core-tests.md: add one saying what it covers")
        .isEmpty();
  }

  /** README.md and every Markdown file under docs/. */
  private static List<Path> docs() {
    try (Stream<Path> files = Files.walk(ROOT.resolve("docs"))) {
      List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
      docs.addAll(files.filter(file -> file.toString().endsWith(".md")).sorted().toList());
      return docs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Link targets outside fenced code blocks and inline code, where brackets are code, not links. */
  static List<String> links(Path doc) {
    List<String> targets = new ArrayList<>();
    boolean fenced = false;
    for (String line : read(doc).split("\n", -1)) {
      if (line.startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (!fenced) {
        Matcher matcher = LINK.matcher(line.replaceAll("`[^`]*`", ""));
        while (matcher.find()) {
          targets.add(matcher.group(1));
        }
      }
    }
    return targets;
  }

  /** The anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped, spaces as hyphens. */
  static Set<String> anchors(Path markdown) {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fenced = false;
    for (String line : read(markdown).split("\n", -1)) {
      if (line.startsWith("```")) {
        fenced = !fenced;
      } else if (!fenced && line.matches("^#{1,6} .*")) {
        String slug = line.replaceFirst("^#+ ", "").strip().toLowerCase(Locale.ROOT)
            .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
        int count = seen.merge(slug, 1, Integer::sum);
        anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
      }
    }
    return anchors;
  }

  /** Test source files of every module by class name. */
  private static Map<String, Path> testSources() {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files.filter(file -> file.toString().contains("/src/test/java/") && file.toString().endsWith(".java"))
          .filter(file -> !file.toString().contains("/target/"))
          .collect(Collectors.toMap(file -> file.getFileName().toString().replace(".java", ""), file -> file,
              (first, second) -> first));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean isScanned(Path file) {
    String path = ROOT.relativize(file).toString();
    return !path.startsWith(".git/") && !path.contains("target/") && SCANNED.matcher(path).matches();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
