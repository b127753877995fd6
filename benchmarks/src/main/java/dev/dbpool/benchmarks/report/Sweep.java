package dev.dbpool.benchmarks.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dbpool.benchmarks.report.Model.LoadRun;
import dev.dbpool.benchmarks.report.Model.Run;
import org.jspecify.annotations.Nullable;

/**
 * The pool-size sweep's knee, and where db-pool's defaults and profiles sit against it.
 */
final class Sweep {

	/** The knee: the smallest pool with at least this share of the best throughput. */
	static final double KNEE_SHARE = 0.95;

	/** The pool sizes db-pool's default and profiles set (README, Profiles). */
	static final Map<String, Integer> PRESETS;

	static {
		Map<String, Integer> presets = new LinkedHashMap<>();
		presets.put("default", 20);
		presets.put("oltp", 50);
		presets.put("batch", 10);
		presets.put("microservice", 5);
		PRESETS = presets;
	}

	private Sweep() {
	}

	static List<Long> sizes(Run run) {
		return run.sweep().stream().map((r) -> RunReader.parseLong(r.mode())).distinct().sorted().toList();
	}

	/**
	 * The knee of one scenario: the smallest measured pool size whose throughput is
	 * within 5 % of the best.
	 * @param run the run
	 * @param scenario steady or overload
	 * @return the size, or null if the scenario was not swept
	 */
	static @Nullable Long knee(Run run, String scenario) {
		List<LoadRun> runs = new ArrayList<>(run.sweep()
			.stream()
			.filter((r) -> r.scenario().equals(scenario) && r.wrk() != null)
			.sorted(Comparator.comparingLong((LoadRun r) -> RunReader.parseLong(r.mode())))
			.toList());
		double best = runs.stream().mapToDouble((r) -> r.wrk().throughput()).max().orElse(0);
		if (runs.isEmpty() || best <= 0) {
			return null;
		}
		for (LoadRun r : runs) {
			if (r.wrk().throughput() >= KNEE_SHARE * best) {
				return RunReader.parseLong(r.mode());
			}
		}
		return null;
	}

	/**
	 * How a preset's pool size compares with the knee and the measured sizes.
	 * @param run the run
	 * @param size the preset's size
	 * @param knee the knee, or null
	 * @return a sentence
	 */
	static String placement(Run run, int size, @Nullable Long knee) {
		List<Long> sizes = sizes(run);
		String measured;
		if (sizes.contains((long) size)) {
			LoadRun steady = run.sweep(Long.toString(size), "steady");
			measured = (steady != null && steady.wrk() != null) ? "measured: " + Targets.rps(steady.wrk().throughput())
					+ " req/s, p99 " + Targets.ms(steady.wrk().p99Ms()) + " in steady" : "measured";
		}
		else {
			Long below = sizes.stream().filter((s) -> s < size).reduce((a, b) -> b).orElse(null);
			Long above = sizes.stream().filter((s) -> s > size).findFirst().orElse(null);
			if (below != null && above != null) {
				measured = "not measured (between " + below + " and " + above + ")";
			}
			else if (below != null) {
				measured = "not measured (above " + below + ", the largest size swept)";
			}
			else {
				measured = "not measured (below " + above + ", the smallest size swept)";
			}
		}
		if (knee == null) {
			return measured;
		}
		String relation = (size == knee) ? "at the knee"
				: (size > knee) ? (size / (double) knee >= 2
						? "well above the knee: more connections than this machine turns into throughput"
						: "above the knee") : "below the knee: throughput left unused on this machine";
		return relation + "; " + measured;
	}

}
