package dev.dbpool.sample.database;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.sample.SampleApplication;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's default database: with no URL configured and no local server answering,
 * the app starts on an embedded PostgreSQL 17, through db-pool's pool, and stops it when
 * it closes; with a URL, a service connection or a local server, it starts none.
 */
@ExtendWith(OutputCaptureExtension.class)
class DefaultDatabaseTests {

	private static final String STARTED = "started an embedded PostgreSQL";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DefaultDatabaseAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of());

	@Test
	void appRunsOnAnEmbeddedPostgresqlWhereNoUrlIsSetAndNoLocalServerAnswers(CapturedOutput output) throws Exception {
		int closedPort = closedPort();
		int port;
		try (ConfigurableApplicationContext context = start(
				"--sample.embedded-postgres.probe=127.0.0.1:" + closedPort)) {
			DataSource dataSource = context.getBean(DataSource.class);
			assertThat(dataSource).isInstanceOf(DbPoolDataSource.class);
			String url = ((DbPoolDataSource) dataSource).getJdbcUrl();
			port = Integer.parseInt(org.postgresql.Driver.parseURL(url, null).getProperty("PGPORT"));
			assertThat(port).isNotIn(5432, closedPort);
			assertThat(output).contains("nothing answers on 127.0.0.1:" + closedPort + ": " + STARTED + " 17.")
				.contains(" on 127.0.0.1:" + port + " in ")
				.contains("It is throw-away");
			try (Connection connection = dataSource.getConnection();
					Statement statement = connection.createStatement();
					ResultSet result = statement.executeQuery("SELECT version(), inet_server_port()")) {
				assertThat(result.next()).isTrue();
				assertThat(result.getString(1)).startsWith("PostgreSQL 17.");
				assertThat(result.getInt(2)).isEqualTo(port);
			}
			HttpResponse<String> customer = get(context, "/customers/1");
			assertThat(customer.statusCode()).isEqualTo(200);
			assertThat(customer.body()).contains("\"id\":1,");
		}
		await("the embedded server's port closed").atMost(Duration.ofSeconds(30)).until(() -> !answers(port));
		assertThat(output).contains("Stopped the embedded PostgreSQL on 127.0.0.1:" + port);
	}

	@Test
	void appStartsNoEmbeddedPostgresqlWhereAUrlIsSet(CapturedOutput output) throws IOException {
		TestDatabase database = TestDatabase.get();
		try (ConfigurableApplicationContext context = start(
				"--sample.embedded-postgres.probe=127.0.0.1:" + closedPort(),
				"--spring.datasource.url=" + database.jdbcUrl(), "--spring.datasource.username=" + database.username(),
				"--spring.datasource.password=" + database.password())) {
			assertThat(context.getBeansOfType(DefaultDatabase.class)).isEmpty();
			assertThat(context.getBean(DbPoolDataSource.class).getJdbcUrl()).isEqualTo(database.jdbcUrl());
		}
		assertThat(output).doesNotContain(STARTED);
	}

	@Test
	void backsOffWhereAUrlIsSet() {
		this.runner.withPropertyValues("spring.datasource.url=jdbc:postgresql://db.example:5432/app")
			.run((context) -> assertThat(context).doesNotHaveBean(DefaultDatabase.class));
	}

	@Test
	void backsOffWhereDatabaseUrlIsSet() {
		this.runner.withInitializer(EnvironmentVariables.of("DATABASE_URL=postgres://app@db.example:5432/app"))
			.run((context) -> assertThat(context).doesNotHaveBean(DefaultDatabase.class));
	}

	@Test
	void backsOffWhereAServiceConnectionGivesTheDatabase() {
		this.runner.withBean(JdbcConnectionDetails.class, ContainerConnectionDetails::new)
			.run((context) -> assertThat(context).doesNotHaveBean(DefaultDatabase.class));
	}

	@Test
	void usesTheLocalServerWhereItAnswers(CapturedOutput output) throws IOException {
		try (ServerSocket local = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			this.runner.withPropertyValues("sample.embedded-postgres.probe=127.0.0.1:" + local.getLocalPort())
				.run((context) -> {
					JdbcConnectionDetails details = context.getBean(JdbcConnectionDetails.class);
					assertThat(details.getJdbcUrl())
						.isEqualTo("jdbc:postgresql://127.0.0.1:" + local.getLocalPort() + "/postgres");
					assertThat(details.getUsername()).isEqualTo("postgres");
				});
		}
		assertThat(output).contains("No spring.datasource.url: using the PostgreSQL server on 127.0.0.1:")
			.doesNotContain(STARTED);
	}

	@Test
	void startsNoEmbeddedPostgresqlWhenTurnedOff(CapturedOutput output) throws IOException {
		int closedPort = closedPort();
		this.runner
			.withPropertyValues("sample.embedded-postgres.probe=127.0.0.1:" + closedPort,
					"sample.embedded-postgres.enabled=false")
			.run((context) -> assertThat(context.getBean(JdbcConnectionDetails.class).getJdbcUrl())
				.isEqualTo("jdbc:postgresql://127.0.0.1:" + closedPort + "/postgres"));
		assertThat(output).contains("sample.embedded-postgres.enabled is false").doesNotContain(STARTED);
	}

	static class ContainerConnectionDetails implements JdbcConnectionDetails {

		@Override
		public String getJdbcUrl() {
			return "jdbc:postgresql://container:15432/app";
		}

		@Override
		public String getUsername() {
			return "app";
		}

		@Override
		public String getPassword() {
			return "secret";
		}

	}

	private static ConfigurableApplicationContext start(String... args) {
		SpringApplication application = new SpringApplication(SampleApplication.class);
		// No DATABASE_URL or SPRING_DATASOURCE_* of the build's own environment.
		application.setEnvironment(EnvironmentVariables.of().toEnvironment());
		List<String> arguments = new ArrayList<>(List.of(args));
		arguments.add("--server.port=0");
		return application.run(arguments.toArray(String[]::new));
	}

	private static HttpResponse<String> get(ConfigurableApplicationContext context, String path) throws Exception {
		String port = context.getEnvironment().getProperty("local.server.port");
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
				.timeout(Duration.ofSeconds(30))
				.build(), BodyHandlers.ofString());
	}

	// A port nothing listens on: one the system just gave out and took back.
	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static boolean answers(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
