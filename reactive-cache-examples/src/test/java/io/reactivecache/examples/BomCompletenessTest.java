package io.reactivecache.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Fails the build when a deployed module is missing from the BOM, or listed with another version: every module of
 * the parent that is a jar and not marked {@code maven.deploy.skip} must be in {@code reactive-cache-bom}.
 */
class BomCompletenessTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

  @Test
  void everyDeployedModuleIsInTheBomWithTheProjectVersion() throws IOException {
    String parent = Files.readString(ROOT.resolve("pom.xml"));
    String version = firstMatch(parent, "<artifactId>reactive-cache-parent</artifactId>\\s*<version>([^<]+)</version>");
    String bom = Files.readString(ROOT.resolve("reactive-cache-bom/pom.xml"));
    List<String> deployed = new ArrayList<>();
    Matcher modules = MODULE.matcher(parent);
    while (modules.find()) {
      String module = modules.group(1);
      String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
      boolean aggregateOrBom = pom.contains("<packaging>pom</packaging>");
      boolean notDeployed = pom.contains("<maven.deploy.skip>true</maven.deploy.skip>");
      if (!aggregateOrBom && !notDeployed) {
        deployed.add(module);
      }
    }
    assertThat(deployed).contains("reactive-cache-core", "reactive-cache-memory");
    for (String module : deployed) {
      assertThat(bom).as("BOM entry for %s", module)
          .containsPattern("<artifactId>" + Pattern.quote(module) + "</artifactId>\\s*<version>"
              + Pattern.quote(version) + "</version>");
    }
    assertThat(bom).as("the BOM has no parent, so importing it brings nothing else").doesNotContain("<parent>");
  }

  private static String firstMatch(String text, String regex) {
    Matcher matcher = Pattern.compile(regex).matcher(text);
    assertThat(matcher.find()).as("pattern %s", regex).isTrue();
    return matcher.group(1);
  }
}
