package dev.dbpool.sample;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A connection that dies under a running statement, over HTTP: the request whose
 * statement's session is ended on the server ({@code pg_terminate_backend}, as a restart,
 * a failover or an operator would) is answered 503 with {@code Retry-After} and a problem
 * body, not a 500 with a stack trace, and the next request is served.
 */
@DirtiesContext
class ConnectionLostOverHttpTests extends AbstractSampleApplicationTests {

	// The app's sessions carry a name no other test (nor another run) gives its own, so
	// that only this test's statement is ended on the shared server.
	private static final String APPLICATION_NAME = "db-pool-sample-lost-"
			+ Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);

	@DynamicPropertySource
	static void applicationName(DynamicPropertyRegistry registry) {
		registry.add("app.db.pool.application-name", () -> APPLICATION_NAME);
	}

	@Test
	void requestWhoseConnectionIsTerminatedUnderItsStatementIs503AndTheNextIsServed() throws Exception {
		// Far longer than the test needs: the statement is ended long before it ends.
		CompletableFuture<HttpResponse<String>> lost = getAsync("/work?statementMs=25000");
		int pid = await("the request's statement running on the server").atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(50))
			.until(ConnectionLostOverHttpTests::runningStatement, (found) -> found > 0);
		assertThat(queryForObject(Boolean.class, "SELECT pg_terminate_backend(?)", pid)).isTrue();
		HttpResponse<String> response = lost.get(30, TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(503);
		assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
		assertThat(response.headers().firstValue("Content-Type"))
			.hasValueSatisfying((contentType) -> assertThat(contentType).startsWith("application/problem+json"));
		JsonNode problem = json(response);
		assertThat(problem.path("type").asString()).isEqualTo("about:blank");
		assertThat(problem.path("title").asString()).isEqualTo("Service Unavailable");
		assertThat(problem.path("status").asInt()).isEqualTo(503);
		assertThat(problem.path("detail").asString())
			.isEqualTo("The connection to the database was lost; retry later.");
		assertThat(problem.path("instance").asString()).isEqualTo("/work");
		assertThat(response.body()).doesNotContain("Exception").doesNotContain("pg_sleep").doesNotContain("jdbc:");
		// HikariCP dropped the dead connection: the next request gets a live one.
		HttpResponse<String> next = get("/work?statementMs=10");
		assertThat(next.statusCode()).isEqualTo(200);
		assertThat(json(next).path("backendPid").asInt()).isNotEqualTo(pid);
	}

	/**
	 * Return the backend running the app's {@code pg_sleep}, or 0 while there is none.
	 */
	private static int runningStatement() throws SQLException {
		try (Connection observer = TestDatabase.get().connect();
				PreparedStatement statement = observer
					.prepareStatement("SELECT pid FROM pg_stat_activity WHERE application_name = ? AND datname = ?"
							+ " AND state = 'active' AND query LIKE '%pg_sleep%'")) {
			statement.setString(1, APPLICATION_NAME);
			statement.setString(2, TestDatabase.DATABASE);
			try (ResultSet result = statement.executeQuery()) {
				return result.next() ? result.getInt(1) : 0;
			}
		}
	}

}
