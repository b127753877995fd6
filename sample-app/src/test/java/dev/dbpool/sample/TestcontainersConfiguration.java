package dev.dbpool.sample;

import org.testcontainers.postgresql.PostgreSQLContainer;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;

/**
 * A throwaway PostgreSQL in Docker for {@link TestSampleApplication};
 * {@code @ServiceConnection} points the app's DataSource at it, and the sample's default
 * database (a local or embedded server) stays out.
 */
@TestConfiguration(proxyBeanMethods = false)
class TestcontainersConfiguration {

	@Bean
	@ServiceConnection
	PostgreSQLContainer postgres() {
		return new PostgreSQLContainer("postgres:15-alpine");
	}

}
