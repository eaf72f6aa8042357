package io.reactivecache.benchmarks.simulator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * A block-access trace loaded into memory, so that replay time measures the cache and not gzip.
 *
 * <p>Two formats (docs/PERFORMANCE.md, "Traces"): ARC ({@code *.lis.gz}, lines {@code start n ignore req} standing
 * for the {@code n} keys {@code start..start+n-1}) and LIRS ({@code *.trace.gz}, one integer key per line, a line
 * {@code *} is a marker and is skipped).
 */
final class Trace {
  private final String name;
  private final long[] keys;
  private final int distinct;

  private Trace(String name, long[] keys) {
    this.name = name;
    this.keys = keys;
    this.distinct = (int) Arrays.stream(keys).distinct().count();
  }

  static Trace load(Path file) throws IOException {
    String fileName = file.getFileName().toString();
    boolean arc = fileName.endsWith(".lis.gz");
    String name = fileName.substring(0, fileName.indexOf('.'));
    LongBuffer keys = new LongBuffer();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(file), 1 << 16), StandardCharsets.US_ASCII), 1 << 16)) {
      String line;
      while ((line = in.readLine()) != null) {
        line = line.trim();
        if (line.isEmpty() || line.equals("*")) {
          continue;
        }
        if (arc) {
          String[] fields = line.split("\\s+");
          long start = Long.parseLong(fields[0]);
          long n = Long.parseLong(fields[1]);
          for (long i = 0; i < n; i++) {
            keys.add(start + i);
          }
        } else {
          keys.add(Long.parseLong(line));
        }
      }
    }
    return new Trace(name, keys.toArray());
  }

  String name() {
    return name;
  }

  long[] keys() {
    return keys;
  }

  int requests() {
    return keys.length;
  }

  int distinctKeys() {
    return distinct;
  }

  /** A growable array of primitive longs: a trace of 13 million keys as boxed Longs would not fit. */
  private static final class LongBuffer {
    private long[] data = new long[1 << 16];
    private int size;

    void add(long value) {
      if (size == data.length) {
        data = Arrays.copyOf(data, data.length * 2);
      }
      data[size++] = value;
    }

    long[] toArray() {
      return Arrays.copyOf(data, size);
    }
  }
}
