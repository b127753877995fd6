package dev.dbpool.benchmarks.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.dbpool.benchmarks.report.Model.DbCeiling;
import dev.dbpool.benchmarks.report.Model.Features;
import dev.dbpool.benchmarks.report.Model.HttpCeiling;
import dev.dbpool.benchmarks.report.Model.JmhScore;
import dev.dbpool.benchmarks.report.Model.LoadRun;
import dev.dbpool.benchmarks.report.Model.Machine;
import dev.dbpool.benchmarks.report.Model.Run;
import tools.jackson.databind.JsonNode;

/**
 * Reads a run's directory ({@code raw/}, {@code machine/}, {@code config-*.env},
 * {@code commands.txt}) into a {@link Run}.
 */
final class RunReader {

	private static final Pattern TPS = Pattern.compile("^tps = ([0-9.]+)", Pattern.MULTILINE);

	private static final Pattern LATENCY = Pattern.compile("^latency average = ([0-9.]+) ms", Pattern.MULTILINE);

	private static final Pattern FAILED = Pattern.compile("^number of failed transactions: ([0-9]+)",
			Pattern.MULTILINE);

	private static final List<String> SCENARIO_ORDER = List.of("steady", "overload", "slow-mix");

	private static final Pattern VIRTUAL_THREADS = Pattern.compile("--spring\\.threads\\.virtual\\.enabled=(\\S*)");

	/**
	 * The built-in modes' order in the report: db-pool-virtual, db-pool on virtual
	 * threads, right beside db-pool, the comparison it is for.
	 */
	private static final List<String> MODE_ORDER = List.of("no-pool", "boot-default", "db-pool", "db-pool-virtual",
			"db-pool-oltp");

	private RunReader() {
	}

	static Run read(Path dir) {
		Map<String, Map<String, String>> configs = new LinkedHashMap<>();
		List<String> deviations = new ArrayList<>();
		List<String> partial = new ArrayList<>();
		boolean issueSized = true;
		for (String piece : List.of("load", "sweep", "jmh")) {
			Map<String, String> config = RawFiles.env(dir.resolve("config-" + piece + ".env"));
			if (!config.isEmpty()) {
				configs.put(piece, config);
				if (!"yes".equals(config.get("ISSUE_SIZED"))) {
					issueSized = false;
					deviations.addAll(listed(piece, config.getOrDefault("DEVIATIONS", "")));
				}
				partial.addAll(listed(piece, config.getOrDefault("PARTIAL", "")));
			}
		}
		Machine machine = machine(dir.resolve("machine"));
		Path raw = dir.resolve("raw");
		List<LoadRun> load = loadRuns(raw.resolve("load"), machine);
		List<LoadRun> sweep = loadRuns(raw.resolve("sweep"), machine);
		sweep.sort(Comparator.comparingLong((LoadRun run) -> parseLong(run.mode()))
			.thenComparing((run) -> SCENARIO_ORDER.indexOf(run.scenario())));
		List<HttpCeiling> http = new ArrayList<>();
		List<DbCeiling> db = new ArrayList<>();
		readCeilings(raw.resolve("ceilings"), http, db);
		List<JmhScore> jmh = jmhScores(raw.resolve("jmh"));
		Features features = features(raw.resolve("jmh/features.env"));
		Run unjudged = new Run(machine, RawFiles.lines(dir.resolve("commands.txt")), configs, issueSized, deviations,
				partial, load, http, db, sweep, jmh, features, List.of());
		return new Run(machine, unjudged.commands(), configs, issueSized, deviations, partial, load, http, db, sweep,
				jmh, features, Targets.judge(unjudged));
	}

	private static List<String> listed(String piece, String list) {
		return Arrays.stream(list.split(";")).filter((d) -> !d.isBlank()).map((d) -> piece + ": " + d).toList();
	}

	static Machine machine(Path dir) {
		String memory = RawFiles.lines(dir.resolve("free.txt"))
			.stream()
			.filter((line) -> line.startsWith("Mem:"))
			.map((line) -> line.trim().split("\\s+")[1] + " GiB")
			.findFirst()
			.orElse("");
		String java = String.join(" / ",
				RawFiles.lines(dir.resolve("java.txt")).stream().limit(2).map(String::trim).toList());
		return new Machine(RawFiles.text(dir.resolve("nproc.txt")), memory, RawFiles.text(dir.resolve("cpu.txt")), java,
				RawFiles.text(dir.resolve("postgres.txt")), RawFiles.text(dir.resolve("uname.txt")),
				parseLong(RawFiles.text(dir.resolve("max_connections.txt"))),
				parseLong(RawFiles.text(dir.resolve("superuser_reserved_connections.txt"))),
				RawFiles.text(dir.resolve("wrk.txt")), RawFiles.text(dir.resolve("pgbench.txt")),
				RawFiles.text(dir.resolve("git.txt")).replace('\n', ' '));
	}

	private static List<LoadRun> loadRuns(Path dir, Machine machine) {
		List<LoadRun> runs = new ArrayList<>();
		for (Path mode : children(dir)) {
			for (Path scenario : children(mode)) {
				Map<String, String> meta = RawFiles.env(scenario.resolve("meta.env"));
				if (meta.isEmpty()) {
					continue;
				}
				String appArgs = meta.getOrDefault("app_args", "");
				// Runs from before the JVM was recorded per mode all ran on the
				// machine's.
				String javaVersion = meta.getOrDefault("java_version", "");
				runs.add(new LoadRun(mode.getFileName().toString(), scenario.getFileName().toString(),
						RawFiles.longValue(meta, "connections", 0), RawFiles.longValue(meta, "duration_s", 0),
						meta.getOrDefault("pool_max", "unknown"), appArgs, meta.getOrDefault("java", ""),
						javaVersion.isEmpty() ? machine.java() : javaVersion, virtualThreads(appArgs),
						WrkResult.read(scenario.resolve("wrk.json")),
						RawFiles.longValue(meta, "peak_db_connections", -1),
						RawFiles.longValue(meta, "peak_server_connections", -1),
						RawFiles.longValue(meta, "server_connections_before", -1),
						RawFiles.longValue(meta, "connection_samples", 0),
						RawFiles.longValue(meta, "connection_samples_missed", 0),
						RawFiles.longValue(meta, "peak_rss_kb", 0) / 1024.0,
						RawFiles.longValue(meta, "app_log_too_many_clients", 0),
						meta.getOrDefault("server_log_too_many_clients", "unknown")));
			}
		}
		runs.sort(Comparator.comparingInt((LoadRun run) -> order(MODE_ORDER, run.mode()))
			.thenComparing(LoadRun::mode)
			.thenComparingInt((run) -> order(SCENARIO_ORDER, run.scenario())));
		return runs;
	}

	/**
	 * Whether the app's arguments switch Spring Boot's virtual threads on; the last
	 * occurrence wins, as in Spring Boot's command-line arguments.
	 */
	static boolean virtualThreads(String appArgs) {
		Matcher matcher = VIRTUAL_THREADS.matcher(appArgs);
		boolean enabled = false;
		while (matcher.find()) {
			enabled = Boolean.parseBoolean(matcher.group(1));
		}
		return enabled;
	}

	private static void readCeilings(Path dir, List<HttpCeiling> http, List<DbCeiling> db) {
		for (Path ceiling : children(dir)) {
			String name = ceiling.getFileName().toString();
			Map<String, String> meta = RawFiles.env(ceiling.resolve("meta.env"));
			long connections = RawFiles.longValue(meta, "connections", 0);
			if (name.startsWith("http-") && !meta.isEmpty()) {
				http.add(new HttpCeiling(connections, WrkResult.read(ceiling.resolve("wrk.json"))));
			}
			else if (name.startsWith("db-") && !meta.isEmpty()) {
				db.add(dbCeiling(connections, meta, RawFiles.text(ceiling.resolve("pgbench.txt"))));
			}
		}
		http.sort(Comparator.comparingLong(HttpCeiling::connections));
		db.sort(Comparator.comparingLong(DbCeiling::connections));
	}

	static DbCeiling dbCeiling(long connections, Map<String, String> meta, String pgbenchOutput) {
		return new DbCeiling(connections, RawFiles.longValue(meta, "clients", 0), meta.getOrDefault("cap_reason", ""),
				meta.getOrDefault("protocol", ""), group(TPS, pgbenchOutput), group(LATENCY, pgbenchOutput),
				(long) Math.max(0, group(FAILED, pgbenchOutput)));
	}

	private static double group(Pattern pattern, String text) {
		Matcher matcher = pattern.matcher(text);
		return matcher.find() ? Double.parseDouble(matcher.group(1)) : Double.NaN;
	}

	static List<JmhScore> jmhScores(Path dir) {
		List<JmhScore> scores = new ArrayList<>();
		for (Path file : children(dir)) {
			if (!file.getFileName().toString().endsWith(".json")) {
				continue;
			}
			for (JsonNode result : RawFiles.json(file)) {
				String benchmark = result.path("benchmark").asString();
				benchmark = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
				JsonNode params = result.path("params");
				String variant = params.has("variant") ? params.path("variant").asString() : params.has("indicator")
						? params.path("indicator").asString() : params.path("monitorMethod").asString("");
				JsonNode metric = result.path("primaryMetric");
				scores.add(new JmhScore(benchmark, variant, result.path("threads").asInt(),
						RawFiles.number(metric.path("score")), RawFiles.number(metric.path("scoreError")),
						metric.path("scoreUnit").asString()));
			}
		}
		scores.sort(Comparator.comparing(JmhScore::benchmark)
			.thenComparingInt(JmhScore::threads)
			.thenComparing(JmhScore::variant));
		return scores;
	}

	private static Features features(Path file) {
		Map<String, String> env = RawFiles.env(file);
		if (env.isEmpty()) {
			return null;
		}
		return new Features("available".equals(env.get("health")), env.getOrDefault("health.detail", ""),
				"available".equals(env.get("monitor")), env.getOrDefault("monitor.detail", ""));
	}

	private static List<Path> children(Path dir) {
		if (!Files.isDirectory(dir)) {
			return List.of();
		}
		try (Stream<Path> children = Files.list(dir)) {
			return children.sorted().toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static int order(List<String> order, String value) {
		int index = order.indexOf(value);
		return (index >= 0) ? index : order.size();
	}

	static long parseLong(String value) {
		try {
			return Long.parseLong(value.trim());
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

}
