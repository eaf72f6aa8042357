package io.reactivecache.benchmarks;

import io.reactivecache.benchmarks.jmh.KeyCursor;
import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import org.openjdk.jmh.annotations.OperationsPerInvocation;

/**
 * The in-process harness: runs one pair's baseline and candidate in the same JVM, alternating short time slices on
 * the same threads, so that both see the same machine load slice by slice. Started by {@link Bench} in a JVM of
 * its own per pair (so no pair's JIT profile leaks into another's); prints one line per measured slice:
 * {@code SLICE <baseline ops/s> <candidate ops/s> <baseline bytes/op> <candidate bytes/op>}.
 *
 * <p>Bytes per operation come from the JVM's per-thread allocation counter, exact rather than sampled.
 */
final class Interleaved {
  /** One benchmark method bound to its state. */
  @FunctionalInterface
  interface Op {
    Object run(KeyCursor cursor);
  }

  private Interleaved() {}

  /**
   * Runs one pair.
   *
   * @param args {@code <pair index> <threads> <warm-up ms per side> <slices> <slice ms>}
   * @throws Throwable if the benchmark fails
   */
  public static void main(String[] args) throws Throwable {
    Bench.Pair pair = Bench.PAIRS.get(Integer.parseInt(args[0]));
    int threads = Integer.parseInt(args[1]);
    long warmMillis = Long.parseLong(args[2]);
    int slices = Integer.parseInt(args[3]);
    long sliceMillis = Long.parseLong(args[4]);

    Object state = pair.benchmark().getConstructor().newInstance();
    pair.benchmark().getMethod("setUp").invoke(state);
    try {
      Side baseline = new Side(state, pair.baseline());
      Side candidate = pair.candidate() == null ? null : new Side(state, pair.candidate());
      // Slow operations (a Redis round trip, 64 of them) check the clock after each call, fast ones every 64.
      int batch = pair.redis() ? 1 : 64;
      Workers workers = new Workers(threads, batch);
      try {
        for (long warmed = 0; warmed < warmMillis; warmed += sliceMillis) {
          workers.slice(baseline, sliceMillis);
          if (candidate != null) {
            workers.slice(candidate, sliceMillis);
          }
        }
        for (int s = 0; s < slices; s++) {
          double[] b;
          double[] c = {Double.NaN, Double.NaN};
          if (s % 2 == 0 || candidate == null) {
            b = workers.slice(baseline, sliceMillis);
            if (candidate != null) {
              c = workers.slice(candidate, sliceMillis);
            }
          } else {
            c = workers.slice(candidate, sliceMillis);
            b = workers.slice(baseline, sliceMillis);
          }
          System.out.printf(Locale.ROOT, "SLICE %.1f %.1f %.1f %.1f%n", b[0], c[0], b[1], c[1]);
        }
      } finally {
        workers.stop();
      }
    } finally {
      pair.benchmark().getMethod("tearDown").invoke(state);
    }
    System.out.flush();
    // Reactor and Lettuce leave non-daemon threads behind; this JVM has done its job.
    System.exit(0);
  }

  /** A benchmark method, called through a generated lambda (no reflection cost per call). */
  static final class Side {
    final Op op;
    final int operationsPerCall;

    Side(Object state, String method) throws Throwable {
      Method m = state.getClass().getMethod(method, KeyCursor.class);
      OperationsPerInvocation per = m.getAnnotation(OperationsPerInvocation.class);
      operationsPerCall = per == null ? 1 : per.value();
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      MethodHandle handle = lookup.unreflect(m);
      CallSite site = LambdaMetafactory.metafactory(lookup, "run",
          MethodType.methodType(Op.class, state.getClass()),
          MethodType.methodType(Object.class, KeyCursor.class), handle,
          MethodType.methodType(m.getReturnType(), KeyCursor.class));
      op = (Op) site.getTarget().invoke(state);
    }
  }

  /** Threads that run the current side until the slice's deadline, then report operations and bytes. */
  static final class Workers {
    private final Thread[] threads;
    private final CyclicBarrier start;
    private final CyclicBarrier end;
    private final long[] operations;
    private final long[] nanos;
    private final long[] bytes;
    /** Results that were null, per thread: read by nobody, written so results stay used. */
    private final long[] nulls;
    private final int batch;
    private volatile Side current;
    private volatile long deadline;
    private volatile boolean stopped;
    private volatile Throwable failure;

    Workers(int count, int batch) {
      this.batch = batch;
      threads = new Thread[count];
      start = new CyclicBarrier(count + 1);
      end = new CyclicBarrier(count + 1);
      operations = new long[count];
      nanos = new long[count];
      bytes = new long[count];
      nulls = new long[count];
      for (int i = 0; i < count; i++) {
        int index = i;
        threads[i] = new Thread(() -> work(index), "bench-worker-" + i);
        threads[i].setDaemon(true);
        threads[i].start();
      }
    }

    /** Runs one slice; returns {operations per second (all threads), bytes allocated per operation}. */
    double[] slice(Side side, long millis) throws InterruptedException, BrokenBarrierException {
      current = side;
      deadline = System.nanoTime() + millis * 1_000_000;
      start.await();
      end.await();
      if (failure != null) {
        throw new IllegalStateException("benchmark failed", failure);
      }
      double perSecond = 0;
      long ops = 0;
      long allocated = 0;
      for (int i = 0; i < threads.length; i++) {
        perSecond += operations[i] * 1e9 / nanos[i];
        ops += operations[i];
        allocated += bytes[i];
      }
      return new double[] {perSecond, ops == 0 ? Double.NaN : allocated / (double) ops};
    }

    void stop() throws InterruptedException, BrokenBarrierException {
      stopped = true;
      start.await();
    }

    private void work(int index) {
      com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      KeyCursor cursor = new KeyCursor();
      try {
        for (;;) {
          start.await();
          if (stopped) {
            return;
          }
          Side side = current;
          Op op = side.op;
          long until = deadline;
          long calls = 0;
          long nullResults = 0;
          long bytesBefore = mx.getCurrentThreadAllocatedBytes();
          long t0 = System.nanoTime();
          long t1;
          do {
            for (int i = 0; i < batch; i++) {
              // Counting nulls keeps every result alive, so the JIT cannot drop the call.
              if (op.run(cursor) == null) {
                nullResults++;
              }
            }
            calls += batch;
            t1 = System.nanoTime();
          } while (t1 < until);
          bytes[index] = mx.getCurrentThreadAllocatedBytes() - bytesBefore;
          operations[index] = calls * side.operationsPerCall;
          nulls[index] = nullResults;
          nanos[index] = t1 - t0;
          end.await();
        }
      } catch (Throwable e) {
        failure = e;
        start.reset();
        end.reset();
      }
    }
  }
}
