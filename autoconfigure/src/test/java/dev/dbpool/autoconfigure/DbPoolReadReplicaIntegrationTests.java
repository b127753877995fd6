package dev.dbpool.autoconfigure;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.health.OptionalReplicaHealthIndicator;
import dev.dbpool.replica.ReadReplica;
import dev.dbpool.replica.ReplicaUnavailableException;
import dev.dbpool.testsupport.PostgresServer;
import dev.dbpool.testsupport.PostgresServer.Replicated;
import dev.dbpool.testsupport.PostgresServer.Shutdown;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for a read replica: a primary of this test class's own with one
 * streaming standby ({@link PostgresServer#primaryWithStandbys}); read-only transactions
 * go to the standby's pool, everything else to the primary's, and reads move to the
 * primary (or fail, with fallback {@code fail}) while the standby lags or is down.
 */
@ExtendWith(OutputCaptureExtension.class)
class DbPoolReadReplicaIntegrationTests {

	private static Replicated servers;

	private static PostgresServer primary;

	private static PostgresServer standby;

	@BeforeAll
	static void startServers() throws Exception {
		servers = PostgresServer.primaryWithStandbys(1);
		primary = servers.primary();
		standby = servers.standby(0);
		primary.execute("CREATE TABLE items (id bigserial PRIMARY KEY, name text)");
		servers.awaitReplayed(standby, Duration.ofSeconds(30));
	}

	@AfterAll
	static void stopServers() {
		if (servers != null) {
			servers.close();
		}
	}

	private ApplicationContextRunner runner(String... properties) {
		return DbPoolContexts.everyFeature()
			.withPropertyValues(primary.dataSourceProperties("postgres"))
			.withPropertyValues("spring.application.name=it-replica", "app.db.pool.pooler.mode=none",
					"app.db.pool.replicas.url=" + standby.jdbcUrl("postgres"), "app.db.pool.monitor.server-interval=1s",
					"app.db.pool.acquire-timeout=2s", "app.db.pool.min-connections=1", "app.db.pool.max-connections=4")
			.withPropertyValues(properties);
	}

	@Test
	void readOnlyTransactionsRunOnTheStandbyAndTheRestOnThePrimary() {
		runner().run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			assertThat(dataSource).isInstanceOf(LazyConnectionDataSourceProxy.class);
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			assertThat(read(context, () -> jdbc.queryForObject("SELECT pg_is_in_recovery()", Boolean.class))).isTrue();
			assertThat(read(context, () -> jdbc.queryForObject("SHOW application_name", String.class)))
				.isEqualTo("it-replica-replica");
			assertThat(write(context, () -> jdbc.queryForObject("SELECT pg_is_in_recovery()", Boolean.class)))
				.isFalse();
			assertThat(write(context, () -> jdbc.queryForObject("SHOW application_name", String.class)))
				.isEqualTo("it-replica");
			assertThat(write(context, () -> jdbc.update("INSERT INTO items (name) VALUES ('a')"))).isEqualTo(1);
			// A write in a read-only transaction fails on the standby, and is no
			// failover.
			assertThatExceptionOfType(DataAccessException.class)
				.isThrownBy(() -> read(context, () -> jdbc.update("INSERT INTO items (name) VALUES ('b')")));
			// Outside any transaction: the primary.
			assertThat(jdbc.queryForObject("SELECT pg_is_in_recovery()", Boolean.class)).isFalse();
			await().atMost(Duration.ofSeconds(10)).until(() -> replica(context).get(ReadReplica.LAG) != null);
			assertThat(replica(context)).containsEntry(ReadReplica.TAKES_READS, true)
				.containsEntry(ReadReplica.READS_GO_TO, "replica")
				.containsEntry(ReadReplica.PRIMARY, "it-replica-pool")
				.doesNotContainKey(ReadReplica.NOT_IN_RECOVERY);
			Map<String, Object> pools = pools(context);
			assertThat(pools).containsOnlyKeys("it-replica-pool", "it-replica-pool-replica");
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("hikaricp.connections").tag("pool", "it-replica-pool-replica").gauge().value())
				.isGreaterThanOrEqualTo(1);
			assertThat(registry.get(ReadReplica.LAG_METER).tag("pool", "it-replica-pool-replica").timeGauge())
				.isNotNull();
			assertThat(registry.get(ReadReplica.AVAILABLE_METER).gauge().value()).isEqualTo(1);
			assertThat(
					context.getBean("dbPoolReplicaDataSource", DbPoolDataSource.class).getSettings().maxConnections())
				.isEqualTo(4);
		});
	}

	@Test
	void readsMoveToThePrimaryWhileTheStandbyLagsPastMaxLagAndComeBack(CapturedOutput output) throws Exception {
		runner("app.db.pool.replicas.max-lag=2s").run((context) -> {
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			AtomicBoolean writing = new AtomicBoolean(true);
			Thread writer = new Thread(() -> {
				while (writing.get()) {
					try {
						jdbc.update("INSERT INTO items (name) VALUES ('lag')");
						Thread.sleep(100);
					}
					catch (Exception ex) {
						// The primary is up: nothing to do but go on.
					}
				}
			}, "it-replica-writer");
			writer.start();
			try {
				standby.execute("SELECT pg_wal_replay_pause()");
				await().atMost(Duration.ofSeconds(20))
					.until(() -> Boolean.FALSE.equals(replica(context).get(ReadReplica.TAKES_READS)));
				assertThat(read(context, () -> jdbc.queryForObject("SELECT pg_is_in_recovery()", Boolean.class)))
					.isFalse();
				// On the primary, still read only.
				assertThatExceptionOfType(DataAccessException.class)
					.isThrownBy(() -> read(context, () -> jdbc.update("INSERT INTO items (name) VALUES ('ro')")));
				assertThat(replica(context)).containsEntry(ReadReplica.READS_GO_TO, "primary");
				assertThat((String) replica(context).get(ReadReplica.REASON)).contains("more than max-lag 2s");
				assertThat(health(context).getStatus()).isEqualTo(Status.UP);
				standby.execute("SELECT pg_wal_replay_resume()");
				await().atMost(Duration.ofSeconds(20))
					.until(() -> Boolean.TRUE.equals(replica(context).get(ReadReplica.TAKES_READS)));
				assertThat(read(context, () -> jdbc.queryForObject("SELECT pg_is_in_recovery()", Boolean.class)))
					.isTrue();
			}
			finally {
				standby.execute("SELECT pg_wal_replay_resume()");
				writing.set(false);
				writer.join(5000);
			}
		});
		assertThat(output).containsOnlyOnce("more than max-lag 2s; read-only work goes to pool 'it-replica-pool'")
			.containsOnlyOnce("read replica pool 'it-replica-pool-replica' takes read-only work again");
	}

	@Test
	void readsFallBackToThePrimaryWhileTheStandbyIsDownAndReturnAfter() throws Exception {
		runner().run((context) -> {
			Readers readers = new Readers(context, 3);
			try {
				readers.start();
				Thread.sleep(1000);
				assertThat(readers.onStandby.get()).isPositive();
				standby.stop(Shutdown.FAST);
				long stopped = readers.reads();
				await().atMost(Duration.ofSeconds(20))
					.until(() -> Boolean.FALSE.equals(replica(context).get(ReadReplica.TAKES_READS)));
				long onPrimary = readers.onPrimary.get();
				await().atMost(Duration.ofSeconds(10)).until(() -> readers.onPrimary.get() > onPrimary + 20);
				assertThat(health(context).getStatus()).isEqualTo(Status.UP);
				// Spring Boot's db health: the replica DOWN, not required, so UP and
				// saying so.
				Health db = ((HealthIndicator) ((CompositeHealthContributor) context.getBean("dbHealthContributor"))
					.getContributor(DbPoolAutoConfiguration.REPLICA_DATA_SOURCE)).health();
				assertThat(db.getStatus()).isEqualTo(Status.UP);
				assertThat(db.getDetails()).containsKey(OptionalReplicaHealthIndicator.DETAIL);
				standby.startAgain();
				long onStandby = readers.onStandby.get();
				await().atMost(Duration.ofSeconds(30)).until(() -> readers.onStandby.get() > onStandby + 20);
				readers.stop();
				System.out.printf(
						"Standby down under %d readers: %d reads (%d before the stop), %d on the primary, "
								+ "%d cut in flight and retried once, %d failed%n",
						3, readers.reads(), stopped, readers.onPrimary.get(), readers.retried.get(),
						readers.failures.size());
				assertThat(readers.failures).as("reads failed after one retry").isEmpty();
				assertThat(replica(context)).containsEntry(ReadReplica.TAKES_READS, true);
				assertThat((long) replica(context).get(ReadReplica.FALLBACKS)).isPositive();
			}
			finally {
				readers.stop();
				if (!standby.isRunning()) {
					standby.startAgain();
				}
			}
		});
	}

	@Test
	void aStandbyDownAtStartUpSendsTheFirstReadsToThePrimary() throws Exception {
		standby.stop(Shutdown.FAST);
		try {
			// The monitor's first read of the lag may come after the first read.
			runner("app.db.pool.monitor.server-interval=1h").run((context) -> {
				JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
				assertThat(read(context, () -> jdbc.queryForObject("SELECT pg_is_in_recovery()", Boolean.class)))
					.isFalse();
				assertThat(replica(context)).containsEntry(ReadReplica.TAKES_READS, false)
					.containsEntry(ReadReplica.READS_GO_TO, "primary");
			});
		}
		finally {
			standby.startAgain();
		}
	}

	@Test
	void withFallbackFailReadsFailWhileTheStandbyIsDown() throws Exception {
		runner("app.db.pool.replicas.fallback=fail").run((context) -> {
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			assertThat(read(context, () -> jdbc.queryForObject("SELECT pg_is_in_recovery()", Boolean.class))).isTrue();
			try {
				standby.stop(Shutdown.FAST);
				await().atMost(Duration.ofSeconds(20))
					.until(() -> Boolean.FALSE.equals(replica(context).get(ReadReplica.TAKES_READS)));
				assertThat(replica(context)).containsEntry(ReadReplica.READS_GO_TO, "nowhere");
				assertThatExceptionOfType(DataAccessException.class)
					.isThrownBy(() -> read(context, () -> jdbc.queryForObject("SELECT 1", Integer.class)))
					.satisfies((ex) -> assertThat(ex).hasRootCauseInstanceOf(ReplicaUnavailableException.class));
				assertThat(write(context, () -> jdbc.queryForObject("SELECT 1", Integer.class))).isEqualTo(1);
				standby.startAgain();
				await().atMost(Duration.ofSeconds(30))
					.until(() -> Boolean.TRUE.equals(replica(context).get(ReadReplica.TAKES_READS)));
				assertThat(read(context, () -> jdbc.queryForObject("SELECT pg_is_in_recovery()", Boolean.class)))
					.isTrue();
			}
			finally {
				if (!standby.isRunning()) {
					standby.startAgain();
				}
			}
		});
	}

	@Test
	void aRequiredReplicaThatIsDownMakesTheHealthDown() throws Exception {
		runner("app.db.pool.replicas.required=true").run((context) -> {
			try {
				standby.stop(Shutdown.FAST);
				await().atMost(Duration.ofSeconds(20)).until(() -> health(context).getStatus().equals(Status.DOWN));
				@SuppressWarnings("unchecked")
				Map<String, Object> pool = (Map<String, Object>) pools(context).get("it-replica-pool-replica");
				assertThat((String) pool.get(DbPoolHealthIndicator.REASON))
					.startsWith("the read replica cannot take read-only work");
			}
			finally {
				standby.startAgain();
			}
			await().atMost(Duration.ofSeconds(30)).until(() -> health(context).getStatus().equals(Status.UP));
		});
	}

	@Test
	void theReplicasConnectionBudgetIsCheckedOnItsOwnServer() {
		runner("app.db.pool.budget.mode=fail", "app.db.pool.replicas.max-connections=5000").run((context) -> {
			InvalidDbPoolConfigurationException failure = StartupFailures.invalidConfiguration(context);
			assertThat(failure.getDescription()).contains("it-replica-pool-replica");
			assertThat(failure.getAction()).contains("app.db.pool.replicas.max-connections");
		});
	}

	@Test
	void shutdownDrainsBothPools(CapturedOutput output) {
		runner().withConfiguration(AutoConfigurations.of(DbPoolShutdownAutoConfiguration.class)).run((context) -> {
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			assertThat(read(context, () -> jdbc.queryForObject("SELECT 1", Integer.class))).isEqualTo(1);
			assertThat(write(context, () -> jdbc.queryForObject("SELECT 1", Integer.class))).isEqualTo(1);
			DbPoolDataSource replica = context.getBean(DbPoolAutoConfiguration.REPLICA_DATA_SOURCE,
					DbPoolDataSource.class);
			context.close();
			assertThat(replica.isClosed()).isTrue();
		});
		assertThat(output).contains("db-pool: pool 'it-replica-pool' drained")
			.contains("db-pool: pool 'it-replica-pool-replica' drained");
	}

	@Test
	void aUrlOfSeveralHostsReadsEachOnesLagAndKeepsReadingWhileOneIsDown() throws Exception {
		int down;
		try (ServerSocket socket = new ServerSocket(0)) {
			down = socket.getLocalPort();
		}
		String url = "jdbc:postgresql://127.0.0.1:" + standby.port() + ",127.0.0.1:" + down + "/postgres";
		runner("app.db.pool.replicas.url=" + url).run((context) -> {
			assertThat(context.getBean(DbPoolAutoConfiguration.REPLICA_DATA_SOURCE, DbPoolDataSource.class)
				.getDataSourceProperties()
				.getProperty("loadBalanceHosts")).isEqualTo("true");
			await().atMost(Duration.ofSeconds(10)).until(() -> replica(context).containsKey(ReadReplica.LAG));
			@SuppressWarnings("unchecked")
			Map<String, Object> hosts = (Map<String, Object>) replica(context).get(ReadReplica.HOSTS);
			assertThat(hosts).containsOnlyKeys("127.0.0.1:" + standby.port(), "127.0.0.1:" + down);
			assertThat((String) hosts.get("127.0.0.1:" + down)).contains("08001");
			assertThat(replica(context)).containsEntry(ReadReplica.TAKES_READS, true);
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			for (int i = 0; i < 5; i++) {
				assertThat(read(context, () -> jdbc.queryForObject("SELECT pg_is_in_recovery()", Boolean.class)))
					.isTrue();
			}
		});
	}

	@Test
	void aReplicaUrlThatPointsAtThePrimaryIsReported(CapturedOutput output) {
		runner("app.db.pool.replicas.url=" + primary.jdbcUrl("postgres")).run((context) -> {
			await().atMost(Duration.ofSeconds(10))
				.until(() -> replica(context).containsKey(ReadReplica.NOT_IN_RECOVERY));
			assertThat(replica(context)).containsEntry(ReadReplica.TAKES_READS, true);
		});
		assertThat(output).contains("is not in recovery: it is a primary");
	}

	static <T> T read(ApplicationContext context, Supplier<T> work) {
		return transaction(context, true).execute((status) -> work.get());
	}

	static <T> T write(ApplicationContext context, Supplier<T> work) {
		return transaction(context, false).execute((status) -> work.get());
	}

	private static TransactionTemplate transaction(ApplicationContext context, boolean readOnly) {
		TransactionTemplate template = new TransactionTemplate(
				new DataSourceTransactionManager(context.getBean(DataSource.class)));
		template.setReadOnly(readOnly);
		return template;
	}

	private static Health health(ApplicationContext context) {
		return context.getBean(DbPoolHealthIndicator.class).health();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> pools(ApplicationContext context) {
		return (Map<String, Object>) health(context).getDetails().get(DbPoolHealthIndicator.POOLS);
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> replica(ApplicationContext context) {
		Map<String, Object> pool = (Map<String, Object>) pools(context).get("it-replica-pool-replica");
		return (Map<String, Object>) pool.get(ReadReplica.DETAIL);
	}

	/**
	 * Threads that run read-only transactions in a loop, each retried once where it
	 * fails, as a read-only transaction may safely be.
	 */
	private static final class Readers {

		private final ApplicationContext context;

		private final JdbcTemplate jdbc;

		private final int count;

		private final List<Thread> threads = new ArrayList<>();

		private final AtomicBoolean running = new AtomicBoolean(true);

		final AtomicLong onStandby = new AtomicLong();

		final AtomicLong onPrimary = new AtomicLong();

		final AtomicLong retried = new AtomicLong();

		final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());

		Readers(ApplicationContext context, int count) {
			this.context = context;
			this.jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			this.count = count;
		}

		void start() {
			for (int i = 0; i < this.count; i++) {
				Thread thread = new Thread(this::run, "it-replica-reader-" + i);
				thread.start();
				this.threads.add(thread);
			}
		}

		private void run() {
			while (this.running.get()) {
				Boolean standby;
				try {
					standby = readOnce();
				}
				catch (RuntimeException ex) {
					this.retried.incrementAndGet();
					try {
						standby = readOnce();
					}
					catch (RuntimeException ex2) {
						this.failures.add(ex2);
						continue;
					}
				}
				(Boolean.TRUE.equals(standby) ? this.onStandby : this.onPrimary).incrementAndGet();
			}
		}

		private Boolean readOnce() {
			return read(this.context, () -> this.jdbc.queryForObject("SELECT pg_is_in_recovery()", Boolean.class));
		}

		long reads() {
			return this.onStandby.get() + this.onPrimary.get();
		}

		void stop() throws InterruptedException {
			this.running.set(false);
			for (Thread thread : this.threads) {
				thread.join(10000);
			}
		}

	}

}
