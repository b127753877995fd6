package dev.dbpool.autoconfigure.jpa;

import java.time.Duration;

import dev.dbpool.autoconfigure.jpa.JpaApplicationTests.JpaApplication;
import dev.dbpool.autoconfigure.StartupFailures;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.PostgresServer;
import dev.dbpool.testsupport.PostgresServer.Replicated;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A JPA application with a read replica: repository methods run in read-only transactions
 * read from the standby, also where the entity manager was opened before the transaction
 * (open-in-view); saves go to the primary.
 */
class JpaReadReplicaTests {

	@Test
	void openInViewStopsTheStartUpNamingIt() {
		new WebApplicationContextRunner().withInitializer(EnvironmentVariables.of())
			.withPropertyValues(TestDatabase.get().dataSourceProperties())
			.withPropertyValues("spring.application.name=it-jpa-osiv", "app.db.pool.pooler.mode=none",
					"app.db.pool.budget.mode=off", "app.db.pool.min-connections=0",
					"app.db.pool.replicas.url=" + TestDatabase.get().jdbcUrl())
			.withUserConfiguration(JpaApplication.class)
			.run((context) -> {
				InvalidDbPoolConfigurationException failure = StartupFailures.invalidConfiguration(context);
				assertThat(failure.getDescription()).contains("spring.jpa.open-in-view='true' (default)")
					.contains("false while app.db.pool.replicas.url is set");
				assertThat(failure.getAction()).contains("Set spring.jpa.open-in-view to false");
			});
	}

	@Test
	void readOnlyRepositoryMethodsRunOnTheStandbyAndSavesOnThePrimary() throws Exception {
		try (Replicated servers = PostgresServer.primaryWithStandbys(1)) {
			PostgresServer primary = servers.primary();
			PostgresServer standby = servers.standby(0);
			new WebApplicationContextRunner().withInitializer(EnvironmentVariables.of())
				.withPropertyValues(primary.dataSourceProperties("postgres"))
				.withPropertyValues("spring.application.name=it-jpa-replica", "spring.jpa.hibernate.ddl-auto=create",
						"spring.jpa.open-in-view=false", "app.db.pool.pooler.mode=none",
						"app.db.pool.max-connections=3", "app.db.pool.min-connections=0",
						"app.db.pool.replicas.url=" + standby.jdbcUrl("postgres"))
				.withUserConfiguration(JpaApplication.class)
				.run((context) -> {
					assertThat(context).hasNotFailed();
					CustomerRepository customers = context.getBean(CustomerRepository.class);
					Long id = customers.save(new Customer("ada")).getId();
					servers.awaitReplayed(standby, Duration.ofSeconds(30));
					assertThat(customers.onStandby()).isTrue();
					assertThat(customers.findById(id)).isPresent();
					TransactionTemplate write = new TransactionTemplate(
							context.getBean(PlatformTransactionManager.class));
					Boolean onStandby = write.execute((status) -> customers.onStandby());
					assertThat(onStandby).isFalse();
				});
		}
	}

}
