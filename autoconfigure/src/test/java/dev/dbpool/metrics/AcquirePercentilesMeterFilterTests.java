package dev.dbpool.metrics;

import java.time.Duration;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link AcquirePercentilesMeterFilter}: what Micrometer publishes for
 * {@code hikaricp.connections.acquire}, and nothing else touched.
 */
class AcquirePercentilesMeterFilterTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	AcquirePercentilesMeterFilterTests() {
		this.registry.config().meterFilter(new AcquirePercentilesMeterFilter());
	}

	@Test
	void acquireTimerPublishesAHistogramAndThePercentileGauges() {
		Timer acquire = Timer.builder("hikaricp.connections.acquire").tag("pool", "p").register(this.registry);
		for (int millis = 1; millis <= 100; millis++) {
			acquire.record(Duration.ofMillis(millis));
		}
		assertThat(acquire.takeSnapshot().percentileValues()).hasSize(3);
		// The name a registry that publishes percentiles as meters gives them, as
		// /actuator/metrics lists them.
		for (String phi : new String[] { "0.5", "0.95", "0.99" }) {
			assertThat(this.registry.get("hikaricp.connections.acquire.percentile")
				.tag("pool", "p")
				.tag("phi", phi)
				.gauge()).isNotNull();
		}
		assertThat(this.registry.get("hikaricp.connections.acquire.percentile").tag("phi", "0.95").gauge().value())
			.isBetween(0.090, 0.110);
	}

	@Test
	void acquireTimerAsksForAPercentilesHistogramForRegistriesThatAggregateIt() {
		// Such as Prometheus' (the _bucket series); a simple registry has none.
		Meter.Id id = new Meter.Id("hikaricp.connections.acquire", Tags.of("pool", "p"), null, null, Meter.Type.TIMER);
		DistributionStatisticConfig config = new AcquirePercentilesMeterFilter().configure(id,
				DistributionStatisticConfig.builder().build());
		assertThat(config.isPercentileHistogram()).isTrue();
		assertThat(config.getPercentiles()).containsExactly(0.5, 0.95, 0.99);
	}

	@Test
	void poolWhosePercentilesDbPoolComputesGetsTheHistogramAlone() {
		AcquirePercentilesMeterFilter filter = new AcquirePercentilesMeterFilter();
		filter.percentilesComputedFor("own");
		DistributionStatisticConfig own = filter.configure(
				new Meter.Id("hikaricp.connections.acquire", Tags.of("pool", "own"), null, null, Meter.Type.TIMER),
				DistributionStatisticConfig.builder().build());
		assertThat(own.isPercentileHistogram()).isTrue();
		assertThat(own.getPercentiles()).isNullOrEmpty();
		DistributionStatisticConfig other = filter.configure(
				new Meter.Id("hikaricp.connections.acquire", Tags.of("pool", "other"), null, null, Meter.Type.TIMER),
				DistributionStatisticConfig.builder().build());
		assertThat(other.getPercentiles()).containsExactly(0.5, 0.95, 0.99);
	}

	@Test
	void poolWhosePercentilesDbPoolComputesInASimpleRegistryGetsNoHistogram() {
		AcquirePercentilesMeterFilter filter = new AcquirePercentilesMeterFilter();
		filter.percentilesComputedFor("own", false);
		DistributionStatisticConfig own = filter.configure(
				new Meter.Id("hikaricp.connections.acquire", Tags.of("pool", "own"), null, null, Meter.Type.TIMER),
				DistributionStatisticConfig.builder().build());
		assertThat(own.isPercentileHistogram()).isNotEqualTo(Boolean.TRUE);
		assertThat(own.getPercentiles()).isNullOrEmpty();
	}

	@Test
	void settingsTheMeterAlreadyHasWin() {
		Meter.Id id = new Meter.Id("hikaricp.connections.acquire", Tags.empty(), null, null, Meter.Type.TIMER);
		DistributionStatisticConfig config = new AcquirePercentilesMeterFilter().configure(id,
				DistributionStatisticConfig.builder().percentilesHistogram(false).percentiles(0.9).build());
		assertThat(config.isPercentileHistogram()).isFalse();
		assertThat(config.getPercentiles()).containsExactly(0.9);
	}

	@Test
	void otherTimersAreLeftAlone() {
		Timer usage = Timer.builder("hikaricp.connections.usage").tag("pool", "p").register(this.registry);
		usage.record(Duration.ofMillis(5));
		assertThat(this.registry.find("hikaricp.connections.usage.percentile").gauge()).isNull();
	}

}
