package dev.dbpool.sample;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Files of the repository outside the sample app, such as {@code docs/}: found from the
 * working directory up (Maven runs a module's tests in the module's directory).
 */
final class RepositoryFiles {

	private RepositoryFiles() {
	}

	/**
	 * Return the repository's root directory: the nearest directory up from the working
	 * directory that holds {@code mvnw} and {@code docs}.
	 * @return the root
	 */
	static Path root() {
		Path start = Path.of("").toAbsolutePath();
		for (Path dir = start; dir != null; dir = dir.getParent()) {
			if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("docs"))) {
				return dir;
			}
		}
		throw new IllegalStateException("No repository root (a directory with mvnw and docs/) at or above " + start
				+ "; run the tests with ./mvnw from the repository");
	}

	/**
	 * Return a file of the repository.
	 * @param path its path from the root, e.g. {@code docs/grafana/db-pool.json}
	 * @return the file
	 */
	static Path file(String path) {
		Path file = root().resolve(path);
		if (!Files.isRegularFile(file)) {
			throw new IllegalStateException("No " + path + " in the repository at " + root());
		}
		return file;
	}

}
