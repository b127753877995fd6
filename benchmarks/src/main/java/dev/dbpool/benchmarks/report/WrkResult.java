package dev.dbpool.benchmarks.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import tools.jackson.databind.JsonNode;

/**
 * One wrk run, from the JSON its {@code done()} hook writes
 * ({@code benchmarks/load/wrk-scenario.lua}). Latencies in milliseconds.
 *
 * @param requests responses received (any status)
 * @param durationSeconds how long wrk ran
 * @param throughput responses per second
 * @param non2xx responses with a status outside 2xx
 * @param status503 responses with status 503
 * @param connectErrors connections wrk could not open
 * @param readErrors socket read errors
 * @param writeErrors socket write errors
 * @param timeouts requests with no response within wrk's {@code --timeout}
 * @param socketErrors connect + read + write + timeouts
 * @param non2xxRate non-2xx responses over responses
 * @param socketErrorRate socket errors over (responses + socket errors)
 * @param latencyAvgMs mean latency of the responses
 * @param p50Ms median
 * @param p90Ms 90th percentile
 * @param p95Ms 95th percentile
 * @param p99Ms 99th percentile
 * @param p999Ms 99.9th percentile
 * @param maxMs slowest response
 * @param statuses responses per HTTP status
 */
record WrkResult(long requests, double durationSeconds, double throughput, long non2xx, long status503,
		long connectErrors, long readErrors, long writeErrors, long timeouts, long socketErrors, double non2xxRate,
		double socketErrorRate, double latencyAvgMs, double p50Ms, double p90Ms, double p95Ms, double p99Ms,
		double p999Ms, double maxMs, Map<String, Long> statuses) {

	static WrkResult read(Path file) {
		if (!Files.isRegularFile(file)) {
			return null;
		}
		return of(RawFiles.json(file));
	}

	static WrkResult of(JsonNode root) {
		long requests = root.path("requests").asLong();
		double seconds = root.path("duration_us").asLong() / 1e6;
		JsonNode errors = root.path("errors");
		long connect = errors.path("connect").asLong();
		long read = errors.path("read").asLong();
		long write = errors.path("write").asLong();
		long timeout = errors.path("timeout").asLong();
		Map<String, Long> statuses = new TreeMap<>();
		root.path("statuses").properties().forEach((entry) -> statuses.put(entry.getKey(), entry.getValue().asLong()));
		long ok = statuses.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().startsWith("2"))
			.mapToLong(Map.Entry::getValue)
			.sum();
		long non2xx = statuses.isEmpty() ? errors.path("status").asLong() : requests - ok;
		long socket = connect + read + write + timeout;
		JsonNode latency = root.path("latency_us");
		return new WrkResult(requests, seconds, (seconds > 0) ? requests / seconds : 0, non2xx,
				statuses.getOrDefault("503", 0L), connect, read, write, timeout, socket,
				(requests > 0) ? (double) non2xx / requests : 0,
				(requests + socket > 0) ? (double) socket / (requests + socket) : 0, ms(latency, "mean"),
				ms(latency, "p50"), ms(latency, "p90"), ms(latency, "p95"), ms(latency, "p99"), ms(latency, "p99_9"),
				ms(latency, "max"), statuses);
	}

	private static double ms(JsonNode latency, String field) {
		return latency.path(field).asDouble() / 1000.0;
	}

	boolean errorFree() {
		return this.non2xx == 0 && this.socketErrors == 0;
	}

}
