package dev.dbpool.datasource;

import java.util.LinkedHashMap;
import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link HikariPools} finds each HikariCP pool once, also behind a wrapper, and nothing
 * else.
 */
class HikariPoolsTests {

	@Test
	void findsEachPoolOnceUnderItsFirstBeanAlsoBehindAWrapper() {
		try (HikariDataSource first = new HikariDataSource(); HikariDataSource second = new HikariDataSource()) {
			Map<String, DataSource> beans = new LinkedHashMap<>();
			beans.put("plain", new DriverManagerDataSource("jdbc:postgresql://127.0.0.1/none"));
			beans.put("lazy", new LazyConnectionDataSourceProxy(first));
			beans.put("first", first);
			beans.put("second", second);
			Map<String, HikariDataSource> pools = HikariPools.in(beans);
			assertThat(pools).containsOnlyKeys("lazy", "second");
			assertThat(pools.get("lazy")).isSameAs(first);
			assertThat(pools.get("second")).isSameAs(second);
			assertThat(pools.keySet()).containsExactly("lazy", "second");
		}
	}

}
