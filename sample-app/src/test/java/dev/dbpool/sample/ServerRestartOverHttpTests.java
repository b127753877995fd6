package dev.dbpool.sample;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.dbpool.testsupport.PostgresServer;
import dev.dbpool.web.ConnectionUnavailableExceptionResolver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample app over HTTP on a PostgreSQL server of the test's own, which the test
 * restarts under requests: the requests whose statement was running when the server went
 * down are answered 503 with {@code Retry-After} (not 500), and the next requests succeed
 * once it is back, with {@code dbPool} UP again.
 */
@Import(ServerRestartOverHttpTests.StopServer.class)
@DirtiesContext
class ServerRestartOverHttpTests extends AbstractOverHttpTests {

	private static PostgresServer server;

	// Stopped when the app closes (StopServer), or at the latest when the JVM exits.
	@BeforeAll
	static void startServer() {
		server = PostgresServer.start();
	}

	@DynamicPropertySource
	static void onThePrivateServer(DynamicPropertyRegistry registry) {
		registry.add("spring.datasource.url", () -> server.jdbcUrl("postgres"));
		registry.add("spring.datasource.username", () -> "postgres");
		registry.add("spring.datasource.password", () -> "");
		registry.add("app.db.pool.acquire-timeout", () -> "3s");
	}

	@Test
	void requestsRunningWhenTheServerRestartsAre503AndTheNextSucceed() throws Exception {
		assertThat(get("/work?statementMs=10").statusCode()).isEqualTo(200);
		List<CompletableFuture<HttpResponse<String>>> running = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			running.add(getAsync("/work?statementMs=20000"));
		}
		// Until their statements run on the server.
		await().atMost(Duration.ofSeconds(20)).until(() -> activeSleeps() == 3);
		server.restart();
		for (CompletableFuture<HttpResponse<String>> request : running) {
			assertUnavailable(request.get(30, TimeUnit.SECONDS),
					ConnectionUnavailableExceptionResolver.CONNECTION_LOST);
		}
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> get("/work?statementMs=10").statusCode() == 200);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> json(get("/actuator/health")).path("components").path("dbPool").path("status").asString(),
					"UP"::equals);
	}

	private static int activeSleeps() throws Exception {
		try (var connection = server.connect();
				var statement = connection.createStatement();
				var result = statement.executeQuery("SELECT count(*) FROM pg_stat_activity "
						+ "WHERE state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()")) {
			result.next();
			return result.getInt(1);
		}
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class StopServer {

		@Bean
		DisposableBean stopPrivateServer() {
			return () -> server.close();
		}

	}

}
