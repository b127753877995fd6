package dev.dbpool.autoconfigure;

import java.util.List;
import java.util.Locale;

import com.zaxxer.hikari.HikariConfig;
import dev.dbpool.diagnostics.ConfiguredValue;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.env.DatabaseUrl;
import dev.dbpool.settings.JdbcUrls;
import org.postgresql.PGProperty;

import org.springframework.core.env.Environment;
import org.springframework.util.Assert;

/**
 * Turns the primary's connection configuration into the read replica's: the URL of
 * {@code app.db.pool.replicas.url} (JDBC, or {@code postgres://} with its credentials),
 * the replica's user and password where given (else the URL's, else the primary's), and
 * every other setting of {@code spring.datasource.hikari.*} as the primary has it. Where
 * the URL names several hosts, the pool spreads its connections over them
 * ({@code loadBalanceHosts=true}) unless the URL says otherwise.
 *
 * @author db-pool
 */
final class ReplicaConnection {

	static final String URL = "app.db.pool.replicas.url";

	private static final String ALLOWED = "a PostgreSQL URL of the replica: jdbc:postgresql://standby:5432/app, "
			+ "with several hosts jdbc:postgresql://standby1,standby2/app, or postgres://user:password@standby:5432/app";

	private ReplicaConnection() {
	}

	/**
	 * Make a configuration of the primary's the replica's.
	 * @param replicas the replica's properties, with a URL
	 * @param environment where they were bound from
	 * @param config a configuration built as the primary's, changed in place
	 * @return the configuration
	 * @throws InvalidDbPoolConfigurationException if the URL is not a PostgreSQL one; the
	 * message never holds the password
	 */
	static HikariConfig configure(DbPoolProperties.Replicas replicas, Environment environment, HikariConfig config) {
		String url = replicas.getUrl();
		Assert.state(url != null, "No replica URL");
		String trimmed = url.trim();
		ConfiguredValue where = PoolerAdminUrl.masked(ConfiguredValue.of(URL, trimmed, environment));
		String lower = trimmed.toLowerCase(Locale.ROOT);
		String jdbcUrl = trimmed;
		String username = null;
		String password = null;
		if (lower.startsWith("postgres://") || lower.startsWith("postgresql://")) {
			DatabaseUrl parsed = DatabaseUrl.parse(trimmed, where,
					"or unset it to send every transaction to the primary");
			jdbcUrl = parsed.jdbcUrl();
			username = parsed.username();
			password = parsed.password();
		}
		else if (!JdbcUrls.isPostgresql(trimmed) || org.postgresql.Driver.parseURL(trimmed, null) == null) {
			throw InvalidDbPoolConfigurationException.invalid(where, ALLOWED);
		}
		config.setJdbcUrl(jdbcUrl);
		if (replicas.getUsername() != null) {
			config.setUsername(replicas.getUsername());
		}
		else if (username != null) {
			config.setUsername(username);
		}
		if (replicas.getPassword() != null) {
			config.setPassword(replicas.getPassword());
		}
		else if (password != null) {
			config.setPassword(password);
		}
		List<String> hosts = JdbcUrls.hosts(jdbcUrl);
		String loadBalance = PGProperty.LOAD_BALANCE_HOSTS.getName();
		if (hosts.size() > 1 && !jdbcUrl.toLowerCase(Locale.ROOT).contains(loadBalance.toLowerCase(Locale.ROOT))) {
			config.getDataSourceProperties().putIfAbsent(loadBalance, "true");
		}
		return config;
	}

}
