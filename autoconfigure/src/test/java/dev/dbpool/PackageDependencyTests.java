package dev.dbpool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that the packages of db-pool's main code depend on each other one way: no cycle,
 * and no import of a package in a layer above. Read from the sources' imports (and fully
 * qualified names), so a new package or an upward import fails here first.
 */
class PackageDependencyTests {

	/**
	 * The layers, top first: a package may use those in the layers below its own, never
	 * those in its own layer or above. Observation reads the pool and its guards; the
	 * pool holds its guards; each guard knows only the seam, the settings and what is
	 * below.
	 */
	private static final List<List<String>> LAYERS = List.of(List.of("autoconfigure"),
			List.of("web", "shutdown", "health", "metrics", "endpoint"), List.of("monitor"), List.of("datasource"),
			List.of("budget", "waiting", "leaks", "retry", "server", "os", "pooler", "replica", "sizing"),
			List.of("guard"), List.of("settings"), List.of("env"), List.of("diagnostics"));

	private static final Path MAIN = Path.of("src/main/java/dev/dbpool");

	private static final Pattern USE = Pattern.compile("\\bdev\\.dbpool\\.([a-z]+)\\.[A-Z]");

	private static final Map<String, Set<String>> uses = new TreeMap<>();

	@BeforeAll
	static void readSources() throws IOException {
		try (Stream<Path> files = Files.walk(MAIN)) {
			for (Path file : files.filter((path) -> path.toString().endsWith(".java")).toList()) {
				String from = MAIN.relativize(file).getName(0).toString();
				Set<String> used = uses.computeIfAbsent(from, (key) -> new TreeSet<>());
				Matcher matcher = USE.matcher(Files.readString(file));
				while (matcher.find()) {
					if (!matcher.group(1).equals(from)) {
						used.add(matcher.group(1));
					}
				}
			}
		}
		assertThat(uses).as("packages read from " + MAIN.toAbsolutePath()).isNotEmpty();
	}

	@Test
	void everyPackageHasALayer() {
		Set<String> placed = new TreeSet<>();
		LAYERS.forEach(placed::addAll);
		assertThat(placed).as("packages in LAYERS; place a new package in its layer").containsAll(uses.keySet());
	}

	@Test
	void noPackageUsesAPackageInItsLayerOrAbove() {
		List<String> upward = new ArrayList<>();
		uses.forEach((from, used) -> used.stream()
			.filter((to) -> layer(to) <= layer(from))
			.forEach((to) -> upward.add(from + " -> " + to)));
		assertThat(upward).as("imports of a package in the same layer or above").isEmpty();
	}

	@Test
	void noPackageCycle() {
		List<String> cycles = new ArrayList<>();
		for (String start : uses.keySet()) {
			findCycle(start, new ArrayList<>(List.of(start)), cycles);
		}
		assertThat(cycles).as("package cycles").isEmpty();
	}

	private static void findCycle(String at, List<String> path, List<String> cycles) {
		for (String next : uses.getOrDefault(at, Set.of())) {
			if (next.equals(path.get(0))) {
				cycles.add(String.join(" -> ", path) + " -> " + next);
			}
			else if (!path.contains(next) && next.compareTo(path.get(0)) > 0) {
				path.add(next);
				findCycle(next, path, cycles);
				path.remove(path.size() - 1);
			}
		}
	}

	private static int layer(String pkg) {
		for (int i = 0; i < LAYERS.size(); i++) {
			if (LAYERS.get(i).contains(pkg)) {
				return i;
			}
		}
		return -1;
	}

}
