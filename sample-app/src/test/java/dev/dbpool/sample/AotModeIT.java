package dev.dbpool.sample;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The packaged sample app run in Spring AOT mode ({@code -Dspring.aot.enabled=true}),
 * with the bean definitions {@code spring-boot:process-aot} generated at build time: the
 * pool, the {@code db} and {@code dbPool} health, the {@code db.pool.*} meters, the 503
 * of the waiter cap and the drain on SIGTERM all work. One process serves every test, in
 * order, the last stopping it. It runs with a pool of one connection and one waiter, so
 * that the settings read when the beans are created are seen to apply at run time, and
 * with {@code management.health.dbpool.enabled=false}, which, read by a condition, is
 * fixed at build time and so has no effect. Run by {@code maven-failsafe-plugin} after
 * {@code package}, against the test PostgreSQL; the output is kept in
 * {@code target/aot-mode.log}.
 */
@TestInstance(Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
class AotModeIT {

	// Where process-aot puts the hints for a native image: the jar holds them.
	private static final String REACHABILITY_METADATA = "META-INF/native-image/dev.dbpool/db-pool-sample-app/"
			+ "reachability-metadata.json";

	private static final Pattern STARTED = Pattern.compile("Started SampleApplication in ([\\d.]+) seconds");

	// Longer than the steps the saturation test takes meanwhile on a loaded machine.
	private static final long HOLD_MS = 8000;

	private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(30);

	private final String applicationName = "db-pool-aot-"
			+ Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);

	private final String poolName = this.applicationName + "-pool";

	private SampleAppProcess app;

	@BeforeAll
	void start() throws Exception {
		this.app = SampleAppProcess.start("aot-mode", List.of("-Dspring.aot.enabled=true"),
				List.of("--app.db.pool.application-name=" + this.applicationName, "--app.db.pool.max-connections=1",
						"--app.db.pool.min-connections=1", "--app.db.pool.max-waiting=1",
						"--app.db.pool.acquire-timeout=" + ACQUIRE_TIMEOUT.toSeconds() + "s",
						"--management.health.dbpool.enabled=false"));
		this.app.awaitReady();
	}

	@AfterAll
	void stop() throws Exception {
		if (this.app != null) {
			this.app.close();
		}
	}

	@Test
	@Order(1)
	void runsOnTheBeanDefinitionsGeneratedAtBuildTime() throws Exception {
		String output = this.app.output();
		assertThat(output).as("see %s", this.app.log()).contains("Starting AOT-processed SampleApplication");
		Matcher started = STARTED.matcher(output);
		assertThat(started.find()).as("see %s", this.app.log()).isTrue();
		System.out.println("AotModeIT: the AOT-processed sample app started in " + started.group(1) + "s");
	}

	@Test
	@Order(2)
	void healthIsUpWithDbAndDbPool() throws Exception {
		HttpResponse<String> response = this.app.get("/actuator/health");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode health = json(response);
		assertThat(health.path("status").asString()).isEqualTo("UP");
		assertThat(health.path("components").path("db").path("status").asString()).isEqualTo("UP");
		assertThat(health.path("components").path("db").path("details").path("database").asString())
			.isEqualTo("PostgreSQL");
		JsonNode dbPool = health.path("components").path("dbPool");
		assertThat(dbPool.path("status").asString()).isEqualTo("UP");
		assertThat(dbPool.path("details").path("pool").asString()).isEqualTo(this.poolName);
	}

	@Test
	@Order(3)
	void settingsReadWhenTheBeansAreCreatedApplyAtRunTime() throws Exception {
		JsonNode details = json(this.app.get("/actuator/health/dbPool")).path("details");
		assertThat(details.path("max").asInt()).isEqualTo(1);
		assertThat(details.path("maxWaiting").asInt()).isEqualTo(1);
	}

	@Test
	@Order(4)
	void switchesReadByConditionsAreFixedAtBuildTime() throws Exception {
		// management.health.dbpool.enabled=false at run time: the indicator stays.
		// Without AOT the indicator would be gone, and the app would not start: its
		// readiness group names dbPool.
		JsonNode components = json(this.app.get("/actuator/health")).path("components");
		assertThat(components.propertyNames()).contains("dbPool");
	}

	@Test
	@Order(5)
	void customersAreServed() throws Exception {
		HttpResponse<String> response = this.app.get("/customers/1");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(json(response).path("id").asLong()).isEqualTo(1);
	}

	@Test
	@Order(6)
	void poolMetersArePublished() throws Exception {
		HttpResponse<String> response = this.app.get("/actuator/prometheus");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("db_pool_utilization{pool=\"" + this.poolName + "\"}")
			.contains("hikaricp_connections_acquire_seconds_bucket{");
	}

	@Test
	@Order(7)
	void saturatedPoolAnswersDbHealthAtOnceAndRejectsBeyondTheWaiterCapWith503() throws Exception {
		CompletableFuture<HttpResponse<String>> holding = this.app.getAsync("/work?holdMs=" + HOLD_MS);
		this.app.awaitHolding(this.applicationName);
		// db-pool's db indicator, not Spring Boot's: it answers from the pool's state
		// instead of waiting for a connection.
		JsonNode db = json(this.app.get("/actuator/health/db"));
		assertThat(db.path("status").asString()).isEqualTo("UP");
		assertThat(db.path("details").path("answeredFrom").asString()).isEqualTo("no connection free: 1 of 1 in use");
		CompletableFuture<HttpResponse<String>> waiting = this.app.getAsync("/work?holdMs=0");
		awaitThreadsWaiting();
		long start = System.nanoTime();
		HttpResponse<String> rejected = this.app.get("/work?holdMs=0");
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		assertThat(rejected.statusCode()).as(rejected.body()).isEqualTo(503);
		assertThat(took).as("answered without waiting for a connection").isLessThan(ACQUIRE_TIMEOUT.dividedBy(2));
		assertThat(rejected.headers().firstValue("Retry-After")).hasValue("1");
		assertThat(json(rejected).path("detail").asString())
			.isEqualTo("The database connection pool is saturated; retry later.");
		assertThat(holding.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		assertThat(waiting.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
	}

	@Test
	@Order(8)
	void sigtermDrainsThePoolAndExits() throws Exception {
		Process process = this.app.process();
		process.destroy();
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exits within 30s, see %s", this.app.log()).isTrue();
		// 128 + SIGTERM's number, once the shutdown hooks have run.
		assertThat(process.exitValue()).as("exit code, see %s", this.app.log()).isEqualTo(128 + 15);
		assertThat(this.app.output()).as("see %s", this.app.log())
			.containsSubsequence("Commencing graceful shutdown", "db-pool: pool '" + this.poolName + "' drained in ");
	}

	@Test
	void jarHoldsDbPoolsRuntimeHintsForANativeImage() throws IOException {
		Path jar = Path.of(System.getProperty("sample-app.jar", "target/db-pool-sample-app.jar"));
		try (JarFile file = new JarFile(jar.toFile())) {
			ZipEntry entry = file.getEntry(REACHABILITY_METADATA);
			assertThat(entry).as("%s in %s", REACHABILITY_METADATA, jar).isNotNull();
			try (InputStream in = file.getInputStream(entry)) {
				String metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
				// One from aot.factories, one from the pool's configuration.
				assertThat(metadata).contains("\"com.zaxxer.hikari.pool.ProxyLeakTask\"")
					.contains("\"org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails\"")
					.contains("\"com.zaxxer.hikari.HikariConfig\"");
			}
		}
	}

	// The request sent after the one holding the connection waits for it inside HikariCP.
	private void awaitThreadsWaiting() throws Exception {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (pending() < 1) {
			if (System.nanoTime() > deadline) {
				fail("No thread waited for a connection within 10s:%n%s", this.app.tail());
			}
			Thread.sleep(50);
		}
	}

	private double pending() throws Exception {
		HttpResponse<String> response = this.app
			.get("/actuator/metrics/hikaricp.connections.pending?tag=pool:" + this.poolName);
		return json(response).path("measurements").path(0).path("value").asDouble();
	}

	private static JsonNode json(HttpResponse<String> response) {
		return JsonMapper.shared().readTree(response.body());
	}

}
