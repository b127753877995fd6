package dev.dbpool.datasource;

import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.SQLExceptionOverride;
import com.zaxxer.hikari.SQLExceptionOverride.Override;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Failovers}.
 */
@ExtendWith(OutputCaptureExtension.class)
class FailoversTests {

	private static final SQLException READ_ONLY = new SQLException(
			"ERROR: cannot execute INSERT in a read-only transaction", "25006");

	@Test
	void aChangeOfPrimaryIsAFailoverWhereTheUrlAsksForAPrimary() {
		Failovers failovers = new Failovers("p", true);
		failovers.connectedTo("h1:5432");
		failovers.connectedTo("h1:5432");
		assertThat(failovers.count()).isZero();
		failovers.connectedTo("h2:5432");
		assertThat(failovers.count()).isOne();
		Map<String, Object> details = new LinkedHashMap<>();
		failovers.putDetails(details, Instant.now());
		assertThat(details).extractingByKey(Failovers.DETAIL)
			.asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
			.containsEntry(Failovers.PRIMARY, "h2:5432")
			.containsEntry(Failovers.FAILOVERS, 1L)
			.containsKey(Failovers.LAST_FAILOVER_AT);
	}

	@Test
	void aChangeOfHostIsNoFailoverWhereTheUrlDoesNotAskForAPrimary() {
		Failovers failovers = new Failovers("p", false);
		failovers.connectedTo("h1:5432");
		failovers.connectedTo("h2:5432");
		assertThat(failovers.count()).isZero();
		assertThat(failovers.host()).isEqualTo("h2:5432");
	}

	@Test
	void asksForPrimaryReadsTheUrlAndTheDriverProperties() {
		assertThat(Failovers.asksForPrimary(config("jdbc:postgresql://h1,h2/db?targetServerType=primary"))).isTrue();
		assertThat(Failovers.asksForPrimary(config("jdbc:postgresql://h1,h2/db?targetServerType=master"))).isTrue();
		assertThat(Failovers.asksForPrimary(config("jdbc:postgresql://h1,h2/db?targetServerType=any"))).isFalse();
		assertThat(Failovers.asksForPrimary(config("jdbc:postgresql://h1/db"))).isFalse();
		HikariConfig property = config("jdbc:postgresql://h1,h2/db");
		property.addDataSourceProperty("targetServerType", "primary");
		assertThat(Failovers.asksForPrimary(property)).isTrue();
	}

	@Test
	void severalHostsWithoutATargetServerTypeAreLogged(CapturedOutput output) {
		Failovers.watch(config("jdbc:postgresql://h1:5432,h2:5433/db"), "any-pool");
		Failovers.watch(config("jdbc:postgresql://h1:5432,h2:5433/db?targetServerType=primary"), "primary-pool");
		Failovers.watch(config("jdbc:postgresql://h1:5432/db"), "one-pool");
		assertThat(output)
			.contains("db-pool: pool 'any-pool' for jdbc:postgresql://h1:5432,h2:5433/db names several "
					+ "hosts without targetServerType=primary")
			.doesNotContain("'primary-pool'")
			.doesNotContain("'one-pool'");
	}

	@Test
	void aReadOnlyFailureEvictsThroughTheOneOverride() {
		HikariConfig pool = config("jdbc:postgresql://h1/db");
		Failovers failovers = Failovers.watch(pool, "p");
		SQLExceptionOverride override = pool.getExceptionOverride();
		assertThat(override.adjudicate(READ_ONLY)).isEqualTo(Override.MUST_EVICT);
		assertThat(override.adjudicate(new SQLException("other", "25P02"))).isEqualTo(Override.CONTINUE_EVICT);
		assertThat(override.adjudicate(new SQLException("ERROR: cannot execute UPDATE in a read-only transaction")))
			.isEqualTo(Override.MUST_EVICT);
		assertThat(failovers.readOnlyEvictions()).isEqualTo(2);
	}

	@Test
	void theApplicationsOwnOverrideMayKeepAConnectionOnAReadOnlyServer() {
		HikariConfig pool = config("jdbc:postgresql://h1/db");
		pool.setExceptionOverride(new SQLExceptionOverride() {

			@java.lang.Override
			public Override adjudicate(SQLException ex) {
				return Override.DO_NOT_EVICT;
			}

		});
		Failovers failovers = Failovers.watch(pool, "p");
		assertThat(pool.getExceptionOverride().adjudicate(READ_ONLY)).isEqualTo(Override.DO_NOT_EVICT);
		assertThat(failovers.readOnlyEvictions()).isZero();
	}

	private static HikariConfig config(String url) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(url);
		return config;
	}

}
