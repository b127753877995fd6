package dev.dbpool.benchmarks.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.dbpool.benchmarks.report.Model.LoadRun;
import dev.dbpool.benchmarks.report.Model.Run;
import dev.dbpool.benchmarks.report.Model.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report made from a run's raw results: numbers, verdicts, knee, files.
 */
class ReportTests {

	private static final String JDK_25 = "openjdk version \"25.0.3\" 2026-04-21 LTS / OpenJDK Runtime Environment Temurin-25.0.3+9 (build 25.0.3+9-LTS)";

	private static final String JAVA_25 = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java";

	@TempDir
	Path dir;

	/**
	 * A full run: db-pool meets every load target but the overload timeouts; no-pool is
	 * slow.
	 */
	private RunDirectory fullRun() {
		return new RunDirectory(this.dir)
			.load("load", "no-pool", "steady", 100, 12_000, 0, "\"200\":11000,\"500\":1000", 900_000, 97, "none", 40)
			.load("load", "db-pool", "steady", 100, 150_000, 0, "\"200\":150000", 20_000, 20, "20", 0)
			.load("load", "db-pool", "overload", 1000, 135_000, 25, "\"200\":135000", 4_000_000, 20, "20", 0)
			.httpCeiling(100, 600_000)
			.dbCeiling(100, 80, "30000.5")
			.load("sweep", "2", "steady", 100, 90_000, 0, "\"200\":90000", 30_000, 2, "2", 0)
			.load("sweep", "4", "steady", 100, 142_500, 0, "\"200\":142500", 22_000, 4, "4", 0)
			.load("sweep", "8", "steady", 100, 150_000, 0, "\"200\":150000", 20_000, 8, "8", 0)
			.load("sweep", "16", "steady", 100, 149_000, 0, "\"200\":149000", 21_000, 16, "16", 0)
			.jmh("borrow-path-t1.json", "["
					+ String.join(",",
							RunDirectory.jmhScore("BorrowPathBenchmark.getConnectionAndClose", "bare", 1, 1000, "10"),
							RunDirectory.jmhScore("BorrowPathBenchmark.getConnectionAndClose", "boot-default", 1, 900,
									"10"),
							RunDirectory.jmhScore("BorrowPathBenchmark.getConnectionAndClose", "db-pool", 1, 895, "10"),
							RunDirectory.jmhScore("BorrowPathBenchmark.preparedSelectOne", "bare", 1, 5000, "100"),
							RunDirectory.jmhScore("BorrowPathBenchmark.preparedSelectOne", "db-pool", 1, 4950, "100"))
					+ "]");
	}

	@Test
	void wrkResultSeparatesNon2xxFromSocketErrors() {
		Run run = RunReader.read(fullRun().path());
		WrkResult noPool = run.load("no-pool", "steady").wrk();
		assertThat(noPool.requests()).isEqualTo(12_000);
		assertThat(noPool.throughput()).isEqualTo(400.0);
		assertThat(noPool.non2xx()).isEqualTo(1000);
		assertThat(noPool.non2xxRate()).isCloseTo(1000 / 12_000.0, org.assertj.core.data.Offset.offset(1e-9));
		assertThat(noPool.socketErrors()).isZero();
		assertThat(noPool.p99Ms()).isEqualTo(900.0);
		WrkResult overload = run.load("db-pool", "overload").wrk();
		assertThat(overload.timeouts()).isEqualTo(25);
		assertThat(overload.socketErrors()).isEqualTo(25);
	}

	@Test
	void pgbenchOutputGivesTheDatabaseCeiling() {
		Run run = RunReader.read(fullRun().path());
		assertThat(run.dbCeiling(100).tps()).isEqualTo(30000.5);
		assertThat(run.dbCeiling(100).latencyAvgMs()).isEqualTo(0.321);
		assertThat(run.dbCeiling(100).clients()).isEqualTo(80);
		assertThat(run.dbCeiling(100).failed()).isZero();
	}

	@Test
	void loadTargetsAreJudgedFromTheNumbers() {
		Run run = RunReader.read(fullRun().path());
		assertThat(verdict(run, "steady: zero errors", "db-pool").verdict()).isEqualTo(Targets.PASS);
		assertThat(verdict(run, "steady: p99 under 25 ms", "db-pool").verdict()).isEqualTo(Targets.PASS);
		Verdict tenfold = verdict(run, "steady: at least 10x no-pool's throughput", "db-pool");
		assertThat(tenfold.verdict()).isEqualTo(Targets.PASS);
		assertThat(tenfold.measured()).contains("12.5x");
		assertThat(verdict(run, "overload: never past the server's max_connections", "db-pool").verdict())
			.isEqualTo(Targets.PASS);
		Verdict answered = verdict(run, "overload: every request answered (2xx, or a fast 503)", "db-pool");
		assertThat(answered.verdict()).isEqualTo(Targets.MISS);
		assertThat(answered.note()).contains("25 timeout");
		Verdict share = verdict(run, "overload: throughput within 80 % of steady's", "db-pool");
		assertThat(share.verdict()).isEqualTo(Targets.PASS);
		assertThat(share.measured()).contains("90 %");
	}

	@Test
	void slowSteadyAndRefusedConnectionsMiss() {
		new RunDirectory(this.dir).load("load", "db-pool", "steady", 100, 3_000, 0, "\"200\":3000", 40_000, 20, "20", 0)
			.load("load", "db-pool", "overload", 1000, 3_000, 0, "\"200\":3000", 40_000, 21, "20", 3);
		Run run = RunReader.read(this.dir);
		assertThat(verdict(run, "steady: p99 under 25 ms", "db-pool").verdict()).isEqualTo(Targets.MISS);
		assertThat(verdict(run, "overload: never past the server's max_connections", "db-pool").verdict())
			.isEqualTo(Targets.MISS);
		assertThat(verdict(run, "steady: at least 10x no-pool's throughput", "db-pool").verdict())
			.isEqualTo(Targets.NOT_JUDGED);
	}

	@Test
	void jmhCycleMissIsTracedToSpringBootsTrackerWhenBootDefaultCostsTheSame() {
		Run run = RunReader.read(fullRun().path());
		Verdict cycle = verdict(run, "JMH: getConnection()/close() within 3 % of bare HikariCP", "1 thread");
		assertThat(cycle.verdict()).isEqualTo(Targets.MISS);
		assertThat(cycle.measured()).contains("db-pool/bare 0.895").contains("db-pool/boot-default 0.994");
		assertThat(cycle.note()).contains("Micrometer tracker");
		Verdict roundTrip = verdict(run, "JMH: prepared SELECT 1 round trip, no measurable difference from bare",
				"1 thread");
		assertThat(roundTrip.verdict()).isEqualTo(Targets.PASS);
	}

	@Test
	void jmhWithoutConfidenceIntervalIsNotJudged() {
		new RunDirectory(this.dir).jmh("borrow-path-t8.json",
				"[" + String.join(",",
						RunDirectory.jmhScore("BorrowPathBenchmark.preparedSelectOne", "bare", 8, 5000, "\"NaN\""),
						RunDirectory.jmhScore("BorrowPathBenchmark.preparedSelectOne", "db-pool", 8, 5000, "\"NaN\""))
						+ "]");
		Run run = RunReader.read(this.dir);
		assertThat(run.jmh()).hasSize(2);
		assertThat(run.jmh().get(0).error()).isNaN();
		assertThat(verdict(run, "JMH: prepared SELECT 1 round trip, no measurable difference from bare", "8 threads")
			.verdict()).isEqualTo(Targets.NOT_JUDGED);
	}

	@Test
	void kneeIsTheSmallestPoolWithinFivePercentOfTheBest() {
		Run run = RunReader.read(fullRun().path());
		assertThat(Sweep.sizes(run)).containsExactly(2L, 4L, 8L, 16L);
		assertThat(Sweep.knee(run, "steady")).isEqualTo(4L);
		assertThat(Sweep.knee(run, "overload")).isNull();
		assertThat(Sweep.placement(run, 20, 4L)).startsWith("well above the knee")
			.contains("above 16, the largest size swept");
		assertThat(Sweep.placement(run, 4, 4L)).startsWith("at the knee").contains("p99 22.0 ms");
		assertThat(Sweep.placement(run, 2, 4L)).startsWith("below the knee");
	}

	@Test
	void generateWritesJsonMarkdownAndCharts() throws IOException {
		fullRun();
		Run run = Report.generate(this.dir);
		JsonNode json = JsonMapper.shared().readTree(this.dir.resolve(Report.JSON).toFile());
		assertThat(json.path("machine").path("cores").asString()).isEqualTo("2");
		assertThat(json.path("machine").path("maxConnections").asLong()).isEqualTo(100);
		assertThat(json.path("load")).hasSize(3);
		assertThat(json.path("verdicts").size()).isEqualTo(run.verdicts().size());
		assertThat(json.path("issueSized").asBoolean()).isTrue();
		String markdown = Files.readString(this.dir.resolve(Report.MARKDOWN));
		assertThat(markdown).doesNotContain("SMOKE RUN")
			.contains("| steady: zero errors | db-pool |")
			.contains("**MISS**")
			.contains("benchmarks/run-all.sh")
			.contains("**4** in steady")
			.contains("| defaults | 20 | well above the knee");
		for (String chart : List.of(Charts.LOAD_THROUGHPUT, Charts.LOAD_LATENCY, Charts.SWEEP, Charts.JMH)) {
			byte[] png = Files.readAllBytes(this.dir.resolve(chart));
			assertThat(png).hasSizeGreaterThan(1000);
			assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
		}
	}

	@Test
	void smokeRunIsMarkedAsSuch() throws IOException {
		fullRun().config("load", false);
		Run run = Report.generate(this.dir);
		assertThat(run.issueSized()).isFalse();
		assertThat(run.deviations()).containsExactly("load: DURATION=3 (issue: 30)", "load: POOL_MAX=8");
		assertThat(Files.readString(this.dir.resolve(Report.MARKDOWN)))
			.contains("**SMOKE RUN: not the issue's full size.**");
	}

	/**
	 * Issue 11's comparison: db-pool on the machine's JDK against db-pool-virtual on a
	 * JDK 25's virtual threads, steady and overload only (with the oltp profile's steady,
	 * to show the order); written as the scripts of a run that records each mode's JVM
	 * do.
	 */
	private RunDirectory virtualComparison() {
		return new RunDirectory(this.dir)
			.config("load", true,
					"MODES without no-pool;MODES without boot-default;SCENARIOS=steady overload;CEILINGS=0")
			.load("load", "db-pool-virtual", "steady", 100, 120_000, 0, "\"200\":120000", 60_000, 21, "20", 0)
			.jvm("load", "db-pool-virtual", "steady", JAVA_25, JDK_25, "--spring.threads.virtual.enabled=true")
			.load("load", "db-pool-virtual", "overload", 1000, 90_000, 30, "\"200\":90000", 4_900_000, 21, "20", 0)
			.jvm("load", "db-pool-virtual", "overload", JAVA_25, JDK_25, "--spring.threads.virtual.enabled=true")
			.load("load", "db-pool", "steady", 100, 117_000, 0, "\"200\":117000", 100_000, 21, "20", 0)
			.load("load", "db-pool", "overload", 1000, 114_000, 0, "\"200\":114000", 600_000, 21, "20", 0)
			.load("load", "db-pool-oltp", "steady", 100, 118_000, 0, "\"200\":118000", 90_000, 48, "50", 0);
	}

	@Test
	void virtualThreadModeIsReadWithItsOwnJdkBesideDbPool() {
		Run run = RunReader.read(virtualComparison().path());
		assertThat(run.load()).extracting(LoadRun::mode, LoadRun::scenario)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("db-pool", "steady"),
					org.assertj.core.groups.Tuple.tuple("db-pool", "overload"),
					org.assertj.core.groups.Tuple.tuple("db-pool-virtual", "steady"),
					org.assertj.core.groups.Tuple.tuple("db-pool-virtual", "overload"),
					org.assertj.core.groups.Tuple.tuple("db-pool-oltp", "steady"));
		LoadRun virtual = run.load("db-pool-virtual", "overload");
		assertThat(virtual.java()).isEqualTo(JAVA_25);
		assertThat(virtual.javaVersion()).isEqualTo(JDK_25);
		assertThat(virtual.virtualThreads()).isTrue();
		// A run without its own JVM recorded ran on the machine's.
		LoadRun dbPool = run.load("db-pool", "overload");
		assertThat(dbPool.java()).isEmpty();
		assertThat(dbPool.javaVersion()).isEqualTo(run.machine().java()).startsWith("openjdk version \"17.0.15\"");
		assertThat(dbPool.virtualThreads()).isFalse();
		assertThat(verdict(run, "steady: zero errors", "db-pool-virtual").verdict()).isEqualTo(Targets.PASS);
		assertThat(verdict(run, "overload: every request answered (2xx, or a fast 503)", "db-pool-virtual").verdict())
			.isEqualTo(Targets.MISS);
		assertThat(verdict(run, "steady: at least 10x no-pool's throughput", "db-pool-virtual").verdict())
			.isEqualTo(Targets.NOT_JUDGED);
		assertThat(run.issueSized()).isTrue();
		assertThat(run.partial()).containsExactly("load: MODES without no-pool", "load: MODES without boot-default",
				"load: SCENARIOS=steady overload", "load: CEILINGS=0");
		assertThat(Charts.label(run, "db-pool-virtual")).isEqualTo("db-pool-virtual (JDK 25)");
		assertThat(Charts.label(run, "db-pool")).isEqualTo("db-pool");
	}

	@Test
	void virtualThreadModeIsReportedWithItsJdkInJsonMarkdownAndCharts() throws IOException {
		virtualComparison();
		Report.generate(this.dir);
		JsonNode json = JsonMapper.shared().readTree(this.dir.resolve(Report.JSON).toFile());
		assertThat(json.path("issueSized").asBoolean()).isTrue();
		assertThat(json.path("partial")).hasSize(4);
		JsonNode virtual = json.path("load").get(2);
		assertThat(virtual.path("mode").asString()).isEqualTo("db-pool-virtual");
		assertThat(virtual.path("java").asString()).isEqualTo(JAVA_25);
		assertThat(virtual.path("javaVersion").asString()).isEqualTo(JDK_25);
		assertThat(virtual.path("virtualThreads").asBoolean()).isTrue();
		assertThat(json.path("load").get(0).path("virtualThreads").asBoolean()).isFalse();
		String markdown = Files.readString(this.dir.resolve(Report.MARKDOWN));
		assertThat(markdown).contains("**PARTIAL RUN: the issue's size, but not all of its set.**")
			.contains("> - load: CEILINGS=0")
			.doesNotContain("SMOKE RUN")
			.contains("| db-pool-virtual | " + JDK_25 + " | `" + JAVA_25
					+ "` | virtual, one per request (`spring.threads.virtual.enabled=true`) |")
			.contains("| db-pool | openjdk version \"17.0.15\" / OpenJDK Runtime Environment | not recorded"
					+ " | Tomcat's platform threads (200) |")
			.contains("on virtual threads, a thread per request instead of the 200")
			.contains("| overload: every request answered (2xx, or a fast 503) | db-pool-virtual |");
		assertThat(markdown.indexOf("| db-pool | steady | 100 |")).isPositive()
			.isLessThan(markdown.indexOf("| db-pool-virtual | steady | 100 |"));
		assertThat(markdown.indexOf("| db-pool-virtual | steady | 100 |"))
			.isLessThan(markdown.indexOf("| db-pool-oltp | steady | 100 |"));
		for (String chart : List.of(Charts.LOAD_THROUGHPUT, Charts.LOAD_LATENCY)) {
			assertThat(Files.readAllBytes(this.dir.resolve(chart))).hasSizeGreaterThan(1000);
		}
	}

	@Test
	void javaReleaseIsTheFeatureReleaseOfJavaVersion() {
		assertThat(Model.javaRelease(JDK_25)).isEqualTo("25");
		assertThat(Model.javaRelease("openjdk version \"17.0.15\" 2025-04-15")).isEqualTo("17");
		assertThat(Model.javaRelease("java version \"1.8.0_392\"")).isEqualTo("8");
		assertThat(Model.javaRelease("")).isEmpty();
	}

	@Test
	void virtualThreadsAreOnWhenTheLastSwitchInTheArgumentsSaysSo() {
		assertThat(RunReader.virtualThreads("--spring.threads.virtual.enabled=true ")).isTrue();
		assertThat(RunReader
			.virtualThreads("--spring.threads.virtual.enabled=true --x=1 --spring.threads.virtual.enabled=false"))
			.isFalse();
		assertThat(RunReader.virtualThreads("--app.db.pool.max-connections=8")).isFalse();
		assertThat(RunReader.virtualThreads("")).isFalse();
	}

	private static Verdict verdict(Run run, String target, String subject) {
		return run.verdicts()
			.stream()
			.filter((v) -> v.target().equals(target) && v.subject().equals(subject))
			.findFirst()
			.orElseThrow(
					() -> new AssertionError("No verdict for " + target + " [" + subject + "] in " + run.verdicts()));
	}

}
