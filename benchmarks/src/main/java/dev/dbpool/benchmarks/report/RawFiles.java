package dev.dbpool.benchmarks.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reading the files the benchmark scripts write: {@code KEY=VALUE} lines, plain text and
 * JSON.
 */
final class RawFiles {

	private static final JsonMapper json = JsonMapper.shared();

	private RawFiles() {
	}

	static Map<String, String> env(Path file) {
		Map<String, String> values = new LinkedHashMap<>();
		if (!Files.isRegularFile(file)) {
			return values;
		}
		for (String line : lines(file)) {
			int equals = line.indexOf('=');
			if (equals > 0 && !line.startsWith("#")) {
				values.put(line.substring(0, equals).trim(), line.substring(equals + 1).trim());
			}
		}
		return values;
	}

	static String text(Path file) {
		try {
			return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8).trim() : "";
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static List<String> lines(Path file) {
		try {
			return Files.isRegularFile(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static JsonNode json(Path file) {
		return json.readTree(file.toFile());
	}

	static long longValue(Map<String, String> env, String key, long defaultValue) {
		String value = env.get(key);
		if (value == null || value.isEmpty()) {
			return defaultValue;
		}
		try {
			return Long.parseLong(value);
		}
		catch (NumberFormatException ex) {
			return defaultValue;
		}
	}

	/**
	 * A JSON number, also when JMH writes it as a string ({@code "NaN"}).
	 * @param node the node, possibly missing
	 * @return its value, or NaN
	 */
	static double number(JsonNode node) {
		if (node == null || node.isMissingNode() || node.isNull()) {
			return Double.NaN;
		}
		if (node.isNumber()) {
			return node.doubleValue();
		}
		try {
			return Double.parseDouble(node.asString());
		}
		catch (NumberFormatException ex) {
			return Double.NaN;
		}
	}

}
