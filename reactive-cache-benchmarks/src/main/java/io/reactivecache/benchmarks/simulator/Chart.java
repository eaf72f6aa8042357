package io.reactivecache.benchmarks.simulator;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * Draws hit ratio against cache size, one line per policy, for one trace of a simulator CSV, as a PNG. Plain
 * {@code java.awt} in headless mode, so the chart is reproducible with nothing but the JDK.
 *
 * <pre>
 * java -cp reactive-cache-benchmarks/target/benchmarks.jar io.reactivecache.benchmarks.simulator.Chart \
 *     --csv hit-ratios.csv --trace OLTP --out docs/hit-ratio-oltp.png
 * </pre>
 */
public final class Chart {
  private static final int WIDTH = 900;
  private static final int HEIGHT = 560;
  private static final int LEFT = 80;
  private static final int RIGHT = 200;
  private static final int TOP = 60;
  private static final int BOTTOM = 70;
  private static final Color[] COLORS = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
    new Color(0x9467bd), new Color(0x8c564b), new Color(0x17becf)
  };

  private Chart() {}

  /**
   * Writes the chart.
   *
   * @param args {@code --csv FILE --trace NAME --out FILE.png}
   * @throws IOException if the CSV cannot be read or the PNG written
   */
  public static void main(String[] args) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Path csv = null;
    String trace = null;
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--csv" -> csv = Paths.get(args[++i]);
        case "--trace" -> trace = args[++i];
        case "--out" -> out = Paths.get(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument '" + args[i]
            + "'; usage: --csv FILE --trace NAME --out FILE.png");
      }
    }
    if (csv == null || trace == null || out == null) {
      throw new IllegalArgumentException("usage: --csv FILE --trace NAME --out FILE.png");
    }
    String name = trace;
    List<Result> results = new ArrayList<>();
    for (Result r : Simulator.readCsv(csv)) {
      if (r.trace().equals(name)) {
        results.add(r);
      }
    }
    if (results.isEmpty()) {
      throw new IllegalArgumentException("no results for trace '" + trace + "' in " + csv);
    }
    ImageIO.write(draw(trace, results), "png", out.toFile());
    System.out.println("wrote " + out);
  }

  static BufferedImage draw(String trace, List<Result> results) {
    Map<String, TreeMap<Long, Double>> series = new LinkedHashMap<>();
    for (Result r : results) {
      series.computeIfAbsent(r.policy(), p -> new TreeMap<>()).put(r.size(), r.hitRatio());
    }
    long minSize = results.stream().mapToLong(Result::size).min().orElseThrow();
    long maxSize = results.stream().mapToLong(Result::size).max().orElseThrow();
    double maxRatio = Math.ceil(results.stream().mapToDouble(Result::hitRatio).max().orElseThrow() / 10) * 10;
    // Sizes grow geometrically in most plans: a log axis keeps the small sizes readable.
    boolean logX = maxSize / (double) minSize >= 8;

    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;

    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.setColor(Color.BLACK);
    g.drawString("Hit ratio vs cache size — " + trace + " trace", LEFT, 30);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    FontMetrics fm = g.getFontMetrics();

    // Grid and y ticks every 10 %.
    for (int y = 0; y <= maxRatio; y += 10) {
      int py = TOP + plotH - (int) Math.round(y / maxRatio * plotH);
      g.setColor(new Color(0xe0e0e0));
      g.drawLine(LEFT, py, LEFT + plotW, py);
      g.setColor(Color.BLACK);
      String label = y + "%";
      g.drawString(label, LEFT - 8 - fm.stringWidth(label), py + 4);
    }
    // X ticks at every replayed size.
    for (long size : series.values().iterator().next().keySet()) {
      int px = x(size, minSize, maxSize, logX, plotW);
      g.setColor(new Color(0xe0e0e0));
      g.drawLine(px, TOP, px, TOP + plotH);
      g.setColor(Color.BLACK);
      String label = size >= 10_000 ? (size / 1000) + "k" : Long.toString(size);
      g.drawString(label, px - fm.stringWidth(label) / 2, TOP + plotH + 18);
    }
    g.drawRect(LEFT, TOP, plotW, plotH);
    String xTitle = "cache size (entries" + (logX ? ", log scale)" : ")");
    g.drawString(xTitle, LEFT + plotW / 2 - fm.stringWidth(xTitle) / 2, TOP + plotH + 42);
    g.rotate(-Math.PI / 2);
    g.drawString("hit ratio", -(TOP + plotH / 2) - fm.stringWidth("hit ratio") / 2, 22);
    g.rotate(Math.PI / 2);

    int index = 0;
    for (Map.Entry<String, TreeMap<Long, Double>> s : series.entrySet()) {
      Color color = COLORS[index % COLORS.length];
      g.setColor(color);
      // Controls are dashed and drawn after ours, so a control lying exactly on our line (lru on textbook-lru)
      // shows as dashes over a solid line: both stay visible.
      boolean control = s.getKey().startsWith("textbook-") || s.getKey().startsWith("caffeine");
      g.setStroke(control
          ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {8f, 6f}, 0f)
          : new BasicStroke(2.5f));
      int prevX = -1;
      int prevY = -1;
      for (Map.Entry<Long, Double> point : s.getValue().entrySet()) {
        int px = x(point.getKey(), minSize, maxSize, logX, plotW);
        int py = TOP + plotH - (int) Math.round(point.getValue() / maxRatio * plotH);
        if (prevX >= 0) {
          g.drawLine(prevX, prevY, px, py);
        }
        g.fillOval(px - 3, py - 3, 7, 7);
        prevX = px;
        prevY = py;
      }
      int ly = TOP + 20 + index * 22;
      g.drawLine(LEFT + plotW + 20, ly - 4, LEFT + plotW + 50, ly - 4);
      g.setColor(Color.BLACK);
      g.drawString(s.getKey() + (control ? " (control)" : ""), LEFT + plotW + 58, ly);
      index++;
    }
    g.dispose();
    return image;
  }

  private static int x(long size, long min, long max, boolean log, int plotW) {
    double f = min == max ? 0.5
        : log ? (Math.log(size) - Math.log(min)) / (Math.log(max) - Math.log(min))
        : (size - min) / (double) (max - min);
    return LEFT + (int) Math.round(f * plotW);
  }

}
