package dev.dbpool.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.dbpool.testsupport.TestDatabase;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole app on a random port, called over real HTTP, connected to the database a
 * subclass gives it: the test PostgreSQL ({@link AbstractSampleApplicationTests}), or a
 * PgBouncer in front of it ({@link AbstractPgBouncerOverHttpTests}). With
 * {@code -Dsample.virtual-threads=true} (CI's JDK 25 leg) the app runs with
 * {@code spring.threads.virtual.enabled=true} ({@link VirtualThreads}).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
abstract class AbstractOverHttpTests {

	private static final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	@LocalServerPort
	private int port;

	@DynamicPropertySource
	static void virtualThreads(DynamicPropertyRegistry registry) {
		registry.add("spring.threads.virtual.enabled", VirtualThreads::requested);
	}

	HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return send(request(path).GET().build());
	}

	CompletableFuture<HttpResponse<String>> getAsync(String path) {
		return http.sendAsync(request(path).GET().build(), BodyHandlers.ofString());
	}

	HttpResponse<String> postJson(String path, String json) throws IOException, InterruptedException {
		HttpRequest request = request(path).header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build();
		return send(request);
	}

	HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
		return http.send(request, BodyHandlers.ofString());
	}

	HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(30));
	}

	static JsonNode json(HttpResponse<String> response) {
		return JsonMapper.shared().readTree(response.body());
	}

	/**
	 * Assert that a request to {@code /work} was answered as one that could not have, or
	 * lost, its connection: 503 with {@code Retry-After} and a problem body.
	 * @param response the response
	 * @param detail the problem's detail, which says which
	 */
	static void assertUnavailable(HttpResponse<String> response, String detail) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
		assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
		assertThat(response.headers().firstValue("Content-Type"))
			.hasValueSatisfying((contentType) -> assertThat(contentType).startsWith("application/problem+json"));
		JsonNode problem = json(response);
		assertThat(problem.path("status").asInt()).isEqualTo(503);
		assertThat(problem.path("detail").asString()).isEqualTo(detail);
		assertThat(problem.path("instance").asString()).isEqualTo("/work");
	}

	/**
	 * Run a one-value query on a connection of the test's own, outside the app's pool.
	 */
	static <T> T queryForObject(Class<T> type, String sql, Object... args) throws SQLException {
		try (Connection connection = TestDatabase.get().connect();
				PreparedStatement statement = connection.prepareStatement(sql)) {
			for (int i = 0; i < args.length; i++) {
				statement.setObject(i + 1, args[i]);
			}
			try (ResultSet result = statement.executeQuery()) {
				if (!result.next()) {
					throw new IllegalStateException("No row for " + sql);
				}
				return result.getObject(1, type);
			}
		}
	}

}
