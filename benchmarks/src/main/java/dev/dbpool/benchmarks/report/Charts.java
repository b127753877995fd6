package dev.dbpool.benchmarks.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;

import dev.dbpool.benchmarks.report.Model.DbCeiling;
import dev.dbpool.benchmarks.report.Model.HttpCeiling;
import dev.dbpool.benchmarks.report.Model.JmhScore;
import dev.dbpool.benchmarks.report.Model.LoadRun;
import dev.dbpool.benchmarks.report.Model.Run;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The run's charts, drawn with XChart from the same numbers as the report: throughput per
 * mode (with both ceilings), latency percentiles per mode (one panel per scenario),
 * throughput and p99 against pool size, and the JMH ratios.
 */
final class Charts {

	static final String LOAD_THROUGHPUT = "load-throughput.png";

	static final String LOAD_LATENCY = "load-latency.png";

	static final String SWEEP = "sweep.png";

	static final String JMH = "jmh.png";

	private static final int WIDTH = 1000;

	private static final int HEIGHT = 480;

	private Charts() {
	}

	/**
	 * Draw every chart the run has numbers for.
	 * @param run the run
	 * @param dir where to write the PNGs
	 * @return the files written
	 * @throws IOException if a file cannot be written
	 */
	static List<Path> write(Run run, Path dir) throws IOException {
		List<Path> written = new ArrayList<>();
		if (!run.load().isEmpty()) {
			written.add(save(loadThroughput(run), dir.resolve(LOAD_THROUGHPUT)));
			List<BufferedImage> panels = new ArrayList<>();
			for (String scenario : scenarios(run.load())) {
				panels.add(BitmapEncoder.getBufferedImage(loadLatency(run, scenario)));
			}
			written.add(stack(panels, dir.resolve(LOAD_LATENCY)));
		}
		if (!run.sweep().isEmpty()) {
			written.add(stack(List.of(BitmapEncoder.getBufferedImage(sweep(run, true)),
					BitmapEncoder.getBufferedImage(sweep(run, false))), dir.resolve(SWEEP)));
		}
		if (run.jmh().stream().anyMatch((s) -> s.benchmark().startsWith("BorrowPathBenchmark."))) {
			written.add(save(jmh(run), dir.resolve(JMH)));
		}
		return written;
	}

	static CategoryChart loadThroughput(Run run) {
		CategoryChart chart = new CategoryChartBuilder().width(WIDTH)
			.height(HEIGHT)
			.title("Throughput per mode (requests/s, higher is better)" + smoke(run))
			.xAxisTitle("scenario (wrk connections)" + dbCeilings(run))
			.yAxisTitle("requests/s")
			.build();
		style(chart);
		List<String> scenarios = scenarios(run.load());
		List<String> labels = scenarios.stream().map((s) -> s + " (" + connections(run.load(), s) + ")").toList();
		for (String mode : modes(run.load())) {
			List<Number> values = new ArrayList<>();
			for (String scenario : scenarios) {
				LoadRun r = run.load(mode, scenario);
				values.add((r != null && r.wrk() != null) ? r.wrk().throughput() : 0);
			}
			chart.addSeries(label(run, mode), labels, values);
		}
		if (!run.httpCeilings().isEmpty()) {
			List<Number> values = new ArrayList<>();
			for (String scenario : scenarios) {
				HttpCeiling ceiling = run.httpCeiling(connections(run.load(), scenario));
				values.add((ceiling != null && ceiling.wrk() != null) ? ceiling.wrk().throughput() : 0);
			}
			chart.addSeries("HTTP ceiling (/ping)", labels, values);
		}
		return chart;
	}

	static CategoryChart loadLatency(Run run, String scenario) {
		CategoryChart chart = new CategoryChartBuilder().width(WIDTH)
			.height(HEIGHT)
			.title("Latency in " + scenario + " (" + connections(run.load(), scenario)
					+ " connections; ms, log scale, lower is better)" + smoke(run))
			.xAxisTitle("mode")
			.yAxisTitle("ms")
			.build();
		style(chart);
		chart.getStyler().setYAxisLogarithmic(true);
		List<String> modes = modes(run.load()).stream().filter((m) -> {
			LoadRun r = run.load(m, scenario);
			return r != null && r.wrk() != null && r.wrk().requests() > 0;
		}).toList();
		if (modes.isEmpty()) {
			chart.addSeries("no responses", List.of("none"), List.of(1));
			return chart;
		}
		List<String> modeLabels = modes.stream().map((m) -> label(run, m)).toList();
		String[] names = { "p50", "p95", "p99", "max" };
		double min = Double.MAX_VALUE;
		for (int i = 0; i < names.length; i++) {
			List<Number> values = new ArrayList<>();
			for (String mode : modes) {
				WrkResult w = run.load(mode, scenario).wrk();
				double value = switch (i) {
					case 0 -> w.p50Ms();
					case 1 -> w.p95Ms();
					case 2 -> w.p99Ms();
					default -> w.maxMs();
				};
				// A log axis cannot show 0.
				value = Math.max(value, 0.01);
				min = Math.min(min, value);
				values.add(value);
			}
			chart.addSeries(names[i], modeLabels, values);
		}
		// Bars start at the axis' minimum, which a log axis must keep above 0: a decade
		// below the lowest value.
		chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(min)) - 1));
		return chart;
	}

	static CategoryChart sweep(Run run, boolean throughput) {
		CategoryChart chart = new CategoryChartBuilder().width(WIDTH)
			.height(HEIGHT)
			.title((throughput ? "Throughput against pool size (requests/s, higher is better)"
					: "p99 latency against pool size (ms, lower is better)") + smoke(run))
			.xAxisTitle("app.db.pool.max-connections")
			.yAxisTitle(throughput ? "requests/s" : "p99 ms")
			.build();
		style(chart);
		chart.getStyler().setDefaultSeriesRenderStyle(CategorySeriesRenderStyle.Line);
		// Points of all series at the centre of their pool size.
		chart.getStyler().setOverlapped(true);
		List<String> sizes = Sweep.sizes(run).stream().map(String::valueOf).toList();
		for (String scenario : List.of("steady", "overload")) {
			List<Number> values = new ArrayList<>();
			boolean any = false;
			for (String size : sizes) {
				LoadRun r = run.sweep(size, scenario);
				if (r != null && r.wrk() != null) {
					values.add(throughput ? r.wrk().throughput() : r.wrk().p99Ms());
					any = true;
				}
				else {
					values.add(null);
				}
			}
			if (any) {
				chart.addSeries(scenario + " (" + connections(run.sweep(), scenario) + " conns)", sizes, values)
					.setMarker(SeriesMarkers.CIRCLE);
			}
		}
		return chart;
	}

	static CategoryChart jmh(Run run) {
		CategoryChart chart = new CategoryChartBuilder().width(WIDTH)
			.height(HEIGHT)
			.title("JMH: throughput ratio to bare HikariCP (1.0 = same; target for the cycle: at least 0.97)"
					+ smoke(run))
			.xAxisTitle("benchmark, threads")
			.yAxisTitle("ratio to bare")
			.build();
		style(chart);
		List<String> labels = new ArrayList<>();
		List<Number> dbPool = new ArrayList<>();
		List<Number> boot = new ArrayList<>();
		for (String benchmark : List.of(Targets.CYCLE, Targets.ROUND_TRIP)) {
			for (int threads : run.jmh().stream().mapToInt(JmhScore::threads).distinct().sorted().toArray()) {
				JmhScore bare = Targets.score(run, benchmark, "bare", threads);
				if (bare == null || bare.score() <= 0) {
					continue;
				}
				JmhScore d = Targets.score(run, benchmark, "db-pool", threads);
				JmhScore b = Targets.score(run, benchmark, "boot-default", threads);
				labels.add((benchmark.equals(Targets.CYCLE) ? "getConnection/close" : "prepared SELECT 1") + ", t"
						+ threads);
				dbPool.add((d != null) ? d.score() / bare.score() : 0);
				boot.add((b != null) ? b.score() / bare.score() : 0);
			}
		}
		if (labels.isEmpty()) {
			chart.addSeries("no bare scores", List.of("none"), List.of(0));
			return chart;
		}
		chart.addSeries("db-pool / bare", labels, dbPool);
		chart.addSeries("boot-default / bare", labels, boot);
		return chart;
	}

	/**
	 * The database ceilings, an order of magnitude above what an HTTP request can reach
	 * on the same machine, are named in the title rather than drawn, so the modes' bars
	 * stay readable.
	 */
	private static String dbCeilings(Run run) {
		if (run.dbCeilings().isEmpty()) {
			return "";
		}
		return ". Not drawn, the DB ceiling (pgbench -S): " + String.join(", ",
				run.dbCeilings()
					.stream()
					.map((c) -> Targets.rps(c.tps()) + " tps at " + c.clients() + " clients")
					.toList());
	}

	private static void style(CategoryChart chart) {
		chart.getStyler().setLegendPosition(LegendPosition.OutsideE);
		chart.getStyler().setChartBackgroundColor(Color.WHITE);
		chart.getStyler().setAvailableSpaceFill(0.8);
		chart.getStyler().setOverlapped(false);
	}

	private static String smoke(Run run) {
		if (!run.issueSized()) {
			return " [SMOKE RUN]";
		}
		return run.partial().isEmpty() ? "" : " [PARTIAL RUN]";
	}

	/**
	 * A mode as the charts name it: with its JDK where that is not the machine's (the
	 * other modes'), e.g. "db-pool-virtual (JDK 25)".
	 */
	static String label(Run run, String mode) {
		String machine = Model.javaRelease(run.machine().java());
		String release = run.load()
			.stream()
			.filter((r) -> r.mode().equals(mode))
			.map((r) -> Model.javaRelease(r.javaVersion()))
			.findFirst()
			.orElse(machine);
		return (release.isEmpty() || release.equals(machine)) ? mode : mode + " (JDK " + release + ")";
	}

	private static List<String> scenarios(List<LoadRun> runs) {
		return runs.stream().map(LoadRun::scenario).distinct().toList();
	}

	private static List<String> modes(List<LoadRun> runs) {
		return runs.stream().map(LoadRun::mode).distinct().toList();
	}

	private static long connections(List<LoadRun> runs, String scenario) {
		return runs.stream()
			.filter((r) -> r.scenario().equals(scenario))
			.mapToLong(LoadRun::connections)
			.findFirst()
			.orElse(0);
	}

	private static Path save(Chart<?, ?> chart, Path file) throws IOException {
		ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", file.toFile());
		return file;
	}

	private static Path stack(List<BufferedImage> panels, Path file) throws IOException {
		int width = panels.stream().mapToInt(BufferedImage::getWidth).max().orElse(1);
		int height = panels.stream().mapToInt(BufferedImage::getHeight).sum();
		BufferedImage image = new BufferedImage(width, Math.max(height, 1), BufferedImage.TYPE_INT_RGB);
		Graphics2D graphics = image.createGraphics();
		graphics.setColor(Color.WHITE);
		graphics.fillRect(0, 0, width, height);
		int y = 0;
		for (BufferedImage panel : panels) {
			graphics.drawImage(panel, 0, y, null);
			y += panel.getHeight();
		}
		graphics.dispose();
		ImageIO.write(image, "png", file.toFile());
		return file;
	}

}
