package dev.dbpool.autoconfigure;

import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.health.OptionalReplicaHealthIndicator;
import dev.dbpool.health.PooledDataSourceHealthIndicator;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.replica.ReadReplica;

import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.jdbc.health.DataSourceHealthIndicator;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadata;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadataProvider;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;
import org.springframework.util.Assert;

/**
 * Builds the {@code db} health contributor as Spring Boot's
 * {@code DataSourceHealthContributorAutoConfiguration} does (one indicator for one
 * {@code DataSource}, a composite by bean name for several, one by lookup key for a
 * routing {@code DataSource}), with a {@link PooledDataSourceHealthIndicator} for each
 * HikariCP pool and Spring Boot's own {@link DataSourceHealthIndicator} for any other.
 *
 * @author db-pool
 */
final class DbHealthContributors {

	private static final String UNNAMED_DATASOURCE_KEY = "unnamed";

	private final PoolMonitor monitor;

	private final DataSourcePoolMetadataProvider metadata;

	DbHealthContributors(PoolMonitor monitor, DataSourcePoolMetadataProvider metadata) {
		this.monitor = monitor;
		this.metadata = metadata;
	}

	HealthContributor of(Map<String, DataSource> dataSources) {
		Assert.notEmpty(dataSources, "'dataSources' must not be empty");
		if (dataSources.size() == 1) {
			return of(dataSources.values().iterator().next());
		}
		return CompositeHealthContributor.fromMap(dataSources, this::of);
	}

	private HealthContributor of(DataSource dataSource) {
		if (isRouting(dataSource)) {
			Map<String, DataSource> routed = routing(dataSource).getResolvedDataSources()
				.entrySet()
				.stream()
				.collect(Collectors.toMap((entry) -> Objects.toString(entry.getKey(), UNNAMED_DATASOURCE_KEY),
						Map.Entry::getValue));
			return CompositeHealthContributor.fromMap(routed, this::of);
		}
		HikariDataSource pool = DataSourceUnwrapper.unwrap(dataSource, HikariConfigMXBean.class,
				HikariDataSource.class);
		if (pool != null) {
			PooledDataSourceHealthIndicator indicator = new PooledDataSourceHealthIndicator(this.monitor, pool);
			ReadReplica replica = (pool instanceof DbPoolDataSource dbPool) ? dbPool.guard(ReadReplica.class) : null;
			return (replica != null) ? new OptionalReplicaHealthIndicator(indicator, replica) : indicator;
		}
		DataSourcePoolMetadata poolMetadata = this.metadata.getDataSourcePoolMetadata(dataSource);
		return new DataSourceHealthIndicator(dataSource,
				(poolMetadata != null) ? poolMetadata.getValidationQuery() : null);
	}

	static boolean isRouting(DataSource dataSource) {
		if (dataSource instanceof AbstractRoutingDataSource) {
			return true;
		}
		try {
			return dataSource.isWrapperFor(AbstractRoutingDataSource.class);
		}
		catch (SQLException ex) {
			return false;
		}
	}

	private static AbstractRoutingDataSource routing(DataSource dataSource) {
		if (dataSource instanceof AbstractRoutingDataSource routing) {
			return routing;
		}
		try {
			return dataSource.unwrap(AbstractRoutingDataSource.class);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Failed to unwrap AbstractRoutingDataSource from " + dataSource, ex);
		}
	}

}
