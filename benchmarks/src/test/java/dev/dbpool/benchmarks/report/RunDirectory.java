package dev.dbpool.benchmarks.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Writes a benchmark run's directory as the scripts do, with made-up numbers, for the
 * report's tests.
 */
final class RunDirectory {

	private final Path dir;

	RunDirectory(Path dir) {
		this.dir = dir;
		write("machine/nproc.txt", "2");
		write("machine/free.txt",
				"               total        used        free\nMem:              23           1          22\n");
		write("machine/cpu.txt", "Test CPU");
		write("machine/java.txt", "openjdk version \"17.0.15\"\nOpenJDK Runtime Environment\n");
		write("machine/postgres.txt", "PostgreSQL 15.20");
		write("machine/uname.txt", "6.1.0");
		write("machine/max_connections.txt", "100");
		write("machine/superuser_reserved_connections.txt", "3");
		write("commands.txt", "benchmarks/run-all.sh\n");
		config("load", true);
	}

	RunDirectory config(String piece, boolean issueSized) {
		return config(piece, issueSized, "");
	}

	/**
	 * A piece's parameters, with what of the issue's set it left out
	 * ({@code ;}-separated, as {@code write_config} writes them).
	 */
	RunDirectory config(String piece, boolean issueSized, String partial) {
		write("config-" + piece + ".env",
				"DURATION=" + (issueSized ? 30 : 3) + "\nWRK_TIMEOUT=5s\nISSUE_SIZED="
						+ (issueSized ? "yes\nDEVIATIONS=\n" : "no\nDEVIATIONS=DURATION=3 (issue: 30);POOL_MAX=8\n")
						+ "PARTIAL=" + partial + "\n");
		return this;
	}

	/**
	 * A load or sweep run.
	 */
	RunDirectory load(String kind, String mode, String scenario, long connections, long requests, long timeouts,
			String statuses, long p99Us, long peakDb, String poolMax, long tooMany) {
		String base = "raw/" + kind + "/" + mode + "/" + scenario + "/";
		write(base + "wrk.json", wrk(requests, timeouts, statuses, p99Us));
		write(base + "meta.env",
				String.join("\n", "mode=" + mode, "scenario=" + scenario, "connections=" + connections, "duration_s=30",
						"pool_max=" + poolMax, "peak_db_connections=" + peakDb,
						"peak_server_connections=" + (peakDb + 2), "server_connections_before=2",
						"connection_samples=60", "connection_samples_missed=0", "peak_rss_kb=307200",
						"app_log_too_many_clients=" + tooMany, "server_log_too_many_clients=0", ""));
		return this;
	}

	/**
	 * The JVM and the arguments a load run's app had, added to its {@code meta.env} as
	 * {@code measure} records them.
	 */
	RunDirectory jvm(String kind, String mode, String scenario, String java, String javaVersion, String appArgs) {
		Path meta = this.dir.resolve("raw/" + kind + "/" + mode + "/" + scenario + "/meta.env");
		try {
			Files.writeString(meta, "app_args=" + appArgs + " \njava=" + java + "\njava_version=" + javaVersion + "\n",
					StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return this;
	}

	RunDirectory httpCeiling(long connections, long requests) {
		write("raw/ceilings/http-" + connections + "/wrk.json", wrk(requests, 0, "\"200\":" + requests, 5000));
		write("raw/ceilings/http-" + connections + "/meta.env", "connections=" + connections + "\n");
		return this;
	}

	RunDirectory dbCeiling(long connections, long clients, String tps) {
		write("raw/ceilings/db-" + connections + "/pgbench.txt", """
				pgbench (15.20 (Debian 15.20-0+deb12u1))
				transaction type: <builtin: select only>
				number of transactions actually processed: 1234567
				number of failed transactions: 0 (0.000%)
				latency average = 0.321 ms
				initial connection time = 12.345 ms
				tps = TPS (without initial connection time)
				""".replace("TPS", tps));
		write("raw/ceilings/db-" + connections + "/meta.env", "connections=" + connections + "\nclients=" + clients
				+ "\ncap_reason=PGBENCH_MAX_CLIENTS=80\nprotocol=prepared\n");
		return this;
	}

	RunDirectory jmh(String file, String json) {
		write("raw/jmh/" + file, json);
		return this;
	}

	static String jmhScore(String benchmark, String variant, int threads, double score, String error) {
		return String.format(Locale.ROOT, """
				{"benchmark":"dev.dbpool.benchmarks.jmh.%s","mode":"thrpt","threads":%d,
				 "params":{"variant":"%s","maxConnections":"20","minConnections":"5"},
				 "primaryMetric":{"score":%f,"scoreError":%s,"scoreUnit":"ops/s"}}""", benchmark, threads, variant,
				score, error);
	}

	static String wrk(long requests, long timeouts, String statuses, long p99Us) {
		return String.format(Locale.ROOT,
				"{\"mode\":\"keylookup\",\"duration_us\":30000000,\"requests\":%d,\"bytes\":1000,"
						+ "\"errors\":{\"connect\":0,\"read\":0,\"write\":0,\"status\":0,\"timeout\":%d},"
						+ "\"latency_us\":{\"min\":100,\"mean\":2000.5,\"stdev\":10.0,\"max\":%d,\"p50\":1500,"
						+ "\"p75\":2000,\"p90\":3000,\"p95\":4000,\"p99\":%d,\"p99_9\":%d},\"statuses\":{%s}}",
				requests, timeouts, p99Us * 2, p99Us, p99Us + 1, statuses);
	}

	Path path() {
		return this.dir;
	}

	private void write(String relative, String content) {
		try {
			Path file = this.dir.resolve(relative);
			Files.createDirectories(file.getParent());
			Files.writeString(file, content);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
