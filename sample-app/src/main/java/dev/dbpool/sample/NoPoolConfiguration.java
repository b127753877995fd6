package dev.dbpool.sample;

import javax.sql.DataSource;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The app as it would run without a connection pool, for the benchmarks' {@code no-pool}
 * mode only: active under the Spring profile {@code no-pool}
 * ({@code --spring.profiles.active=no-pool}), it defines a
 * {@link DriverManagerDataSource}, which opens a new physical connection for every
 * {@code getConnection()} and closes it on {@code close()}, as applications did before
 * pooling. Because the app then defines its own {@link DataSource}, the db-pool starter
 * and Spring Boot's own pool configuration both back off. Never use this profile in
 * production.
 */
@Configuration(proxyBeanMethods = false)
@Profile("no-pool")
class NoPoolConfiguration {

	// As Spring Boot connects its own pool: a JdbcConnectionDetails bean (a service
	// connection, or the sample's default database) wins over spring.datasource.*.
	@Bean
	DriverManagerDataSource dataSource(DataSourceProperties properties,
			ObjectProvider<JdbcConnectionDetails> connectionDetails) {
		JdbcConnectionDetails details = connectionDetails.getIfAvailable();
		DriverManagerDataSource dataSource = (details != null)
				? new DriverManagerDataSource(details.getJdbcUrl(), details.getUsername(), details.getPassword())
				: new DriverManagerDataSource(properties.determineUrl(), properties.determineUsername(),
						properties.determinePassword());
		dataSource.setDriverClassName(
				(details != null) ? details.getDriverClassName() : properties.determineDriverClassName());
		return dataSource;
	}

}
