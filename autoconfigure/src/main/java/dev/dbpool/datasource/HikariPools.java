package dev.dbpool.datasource;

import java.util.LinkedHashMap;
import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;

import org.springframework.boot.jdbc.DataSourceUnwrapper;

/**
 * Finds the HikariCP pools among an application's {@link DataSource} beans: behind a
 * wrapper such as a {@code LazyConnectionDataSourceProxy} too, and each pool once, under
 * the name of the first bean that leads to it.
 *
 * @author db-pool
 * @since 0.2.0
 */
public final class HikariPools {

	private HikariPools() {
	}

	/**
	 * Find the pools among DataSource beans.
	 * @param dataSources the beans, by name, in the order to report them
	 * @return each pool once, by the name of the first bean that leads to it
	 */
	public static Map<String, HikariDataSource> in(Map<String, ? extends DataSource> dataSources) {
		Map<String, HikariDataSource> pools = new LinkedHashMap<>();
		dataSources.forEach((beanName, dataSource) -> {
			HikariDataSource pool = DataSourceUnwrapper.unwrap(dataSource, HikariConfigMXBean.class,
					HikariDataSource.class);
			// By identity: two pools may be equal in every setting.
			if (pool != null && pools.values().stream().noneMatch((known) -> known == pool)) {
				pools.put(beanName, pool);
			}
		});
		return pools;
	}

}
