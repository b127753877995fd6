package dev.dbpool.os;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.monitor.MonitorSettings;
import dev.dbpool.monitor.PoolMonitor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link FileDescriptorsCheck} and {@link FileDescriptorUsage} without a
 * database: what is needed, and when it warns, with readings of its own; and a real
 * reading of this process.
 */
@ExtendWith(OutputCaptureExtension.class)
class FileDescriptorsCheckTests {

	private final Map<String, HikariDataSource> pools = new LinkedHashMap<>();

	private final AtomicReference<FileDescriptorUsage> reading = new AtomicReference<>();

	private final FileDescriptorsCheck check;

	FileDescriptorsCheckTests() {
		this.pools.put("dataSource", pool("fd-orders-pool", 20));
		this.pools.put("reportsDataSource", pool("fd-reports-pool", 5));
		PoolMonitor monitor = new PoolMonitor(() -> this.pools, null,
				new MonitorSettings(Duration.ofSeconds(1), 0.7, 0.85, 5));
		this.check = new FileDescriptorsCheck(monitor::maxConnectionsByPool, this.reading::get);
	}

	@AfterEach
	void closePools() {
		this.pools.values().forEach(HikariDataSource::close);
	}

	@Test
	void needsTheMaxConnectionsOfEveryPoolPlusTheMargin() {
		assertThat(this.check.needed()).isEqualTo(20 + 5 + FileDescriptorsCheck.MARGIN);
	}

	@Test
	void warnsAtStartUpWhenTheLimitIsBelowTheNeed(CapturedOutput output) {
		this.reading.set(new FileDescriptorUsage(40, 150));
		assertThat(this.check.checkLimit()).isTrue();
		assertThat(output).contains("WARN")
			.contains("db-pool: this process may open at most 150 file descriptors (40 open now), but needs 153: "
					+ "25 for the connections of ['fd-orders-pool', 'fd-reports-pool'] at max-connections and 128 for")
			.contains("ulimit -n", "LimitNOFILE", "nofile");
	}

	@Test
	void doesNotWarnAtStartUpWhenTheLimitCoversTheNeed(CapturedOutput output) {
		this.reading.set(new FileDescriptorUsage(40, 153));
		assertThat(this.check.checkLimit()).isFalse();
		assertThat(output).doesNotContain("file descriptors");
	}

	@Test
	void saysNothingWhereTheDescriptorsAreUnknown(CapturedOutput output) {
		this.reading.set(null);
		assertThat(this.check.checkLimit()).isFalse();
		assertThat(this.check.checkUsage()).isFalse();
		assertThat(output).doesNotContain("file descriptors");
	}

	@Test
	void warnsEachIntervalAbove80PercentAndTellsOnceWhenBackBelow(CapturedOutput output) {
		this.reading.set(new FileDescriptorUsage(800, 1000));
		assertThat(this.check.checkUsage()).as("at 80%").isFalse();
		this.reading.set(new FileDescriptorUsage(801, 1000));
		assertThat(this.check.checkUsage()).isTrue();
		this.reading.set(new FileDescriptorUsage(900, 1000));
		assertThat(this.check.checkUsage()).isTrue();
		assertThat(lines(output, "WARN")).hasSize(2);
		assertThat(output).contains("db-pool: 90% of the process's file descriptors are open (900 of 1000), above 80%");
		this.reading.set(new FileDescriptorUsage(500, 1000));
		assertThat(this.check.checkUsage()).isFalse();
		this.reading.set(new FileDescriptorUsage(400, 1000));
		assertThat(this.check.checkUsage()).isFalse();
		assertThat(lines(output, "INFO")).singleElement()
			.satisfies((line) -> assertThat(line)
				.contains("db-pool: 50% of the process's file descriptors are open (500 of 1000), back below 80%"));
		assertThat(lines(output, "WARN")).hasSize(2);
	}

	@Test
	void readsThisProcessesDescriptors() {
		FileDescriptorUsage usage = FileDescriptorUsage.read();
		assertThat(usage).as("read on Linux").isNotNull();
		assertThat(usage.open()).isPositive();
		assertThat(usage.max()).isGreaterThanOrEqualTo(usage.open());
		assertThat(usage.usage()).isEqualTo((double) usage.open() / usage.max());
	}

	private static java.util.List<String> lines(CapturedOutput output, String level) {
		return output.getAll()
			.lines()
			.filter((line) -> line.contains(level) && line.contains("file descriptors"))
			.toList();
	}

	private static HikariDataSource pool(String name, int max) {
		HikariDataSource pool = new HikariDataSource();
		pool.setPoolName(name);
		pool.setMaximumPoolSize(max);
		return pool;
	}

}
