package dev.dbpool.benchmarks.jmh;

/**
 * The PostgreSQL database the JMH benchmarks connect to: {@code DBPOOL_BENCH_JDBC_URL},
 * {@code DBPOOL_BENCH_USERNAME} and {@code DBPOOL_BENCH_PASSWORD}, by default the local
 * server's {@code dbpool_bench} as {@code postgres} with an empty password. Environment
 * variables, so that JMH's forked JVMs see them too.
 */
final class BenchmarkDatabase {

	static final String URL = env("DBPOOL_BENCH_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/dbpool_bench");

	static final String USERNAME = env("DBPOOL_BENCH_USERNAME", "postgres");

	static final String PASSWORD = env("DBPOOL_BENCH_PASSWORD", "");

	private BenchmarkDatabase() {
	}

	private static String env(String name, String defaultValue) {
		String value = System.getenv(name);
		return (value != null && !value.isEmpty()) ? value : defaultValue;
	}

}
