package dev.dbpool.autoconfigure.jpa;

import javax.sql.DataSource;

import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.metrics.DbPoolMeterBinder;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.shutdown.PoolDrainLifecycle;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import jakarta.persistence.EntityManagerFactory;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.ContextConsumer;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A JPA application with db-pool on its class path, and its web tests that exclude the
 * database, by annotation or by {@code spring.autoconfigure.exclude}: db-pool then
 * creates no {@code DataSource} and none of its monitor, health, meters or drain, so
 * Spring Data's repositories do not look for the entity manager factory the test
 * excluded.
 */
class JpaApplicationTests {

	private static final String EXCLUDE = "spring.autoconfigure.exclude=" + DataSourceAutoConfiguration.class.getName()
			+ "," + HibernateJpaAutoConfiguration.class.getName();

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues(TestDatabase.get().dataSourceProperties())
		.withPropertyValues("spring.application.name=it-jpa", "spring.jpa.hibernate.ddl-auto=create-drop",
				"app.db.pool.max-connections=3", "app.db.pool.min-connections=0");

	@Test
	void runsOnDbPoolsPool() {
		this.runner.withUserConfiguration(JpaApplication.class).run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(DbPoolDataSource.class).hasSingleBean(PoolMonitor.class);
			CustomerRepository customers = context.getBean(CustomerRepository.class);
			Long id = customers.save(new Customer("ada")).getId();
			assertThat(customers.findById(id))
				.hasValueSatisfying((found) -> assertThat(found.getName()).isEqualTo("ada"));
		});
	}

	@Test
	void webTestExcludingTheDatabaseByAnnotationGetsNoDataSource() {
		this.runner.withUserConfiguration(WebTestExcludingTheDatabase.class).run(noDatabase());
	}

	@Test
	void webTestExcludingTheDatabaseByPropertyGetsNoDataSource() {
		this.runner.withUserConfiguration(JpaApplication.class).withPropertyValues(EXCLUDE).run(noDatabase());
	}

	private static ContextConsumer<AssertableWebApplicationContext> noDatabase() {
		return (context) -> assertThat(context).hasNotFailed()
			.doesNotHaveBean(DataSource.class)
			.doesNotHaveBean(EntityManagerFactory.class)
			.doesNotHaveBean(CustomerRepository.class)
			.doesNotHaveBean(PoolSettings.class)
			.doesNotHaveBean(PoolMonitor.class)
			.doesNotHaveBean(DbPoolHealthIndicator.class)
			.doesNotHaveBean(DbPoolMeterBinder.class)
			.doesNotHaveBean(PoolDrainLifecycle.class);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class JpaApplication {

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration(exclude = { DataSourceAutoConfiguration.class, HibernateJpaAutoConfiguration.class })
	static class WebTestExcludingTheDatabase {

	}

}
