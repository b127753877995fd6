package dev.dbpool.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the servers the tests start as processes of their own share: a free port, the run
 * as {@code nobody} that PostgreSQL and PgBouncer need under root, a folder to delete.
 */
final class LocalProcesses {

	/** Whether the tests run as root. */
	static final boolean ROOT = "root".equals(System.getProperty("user.name"));

	private LocalProcesses() {
	}

	/**
	 * Return the command prefix that runs a binary as {@code nobody} when the tests run
	 * as root (which PostgreSQL and PgBouncer refuse), else none.
	 * @return the prefix, possibly empty
	 */
	static List<String> asNobodyIfRoot() {
		return ROOT ? List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups") : List.of();
	}

	/**
	 * Return a port of 127.0.0.1 free now.
	 * @return the port
	 * @throws IOException if none can be found
	 */
	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	/**
	 * Delete a folder and all it holds, as far as possible.
	 * @param directory the folder
	 */
	static void deleteDirectory(Path directory) {
		if (!Files.exists(directory)) {
			return;
		}
		try (Stream<Path> files = Files.walk(directory)) {
			files.sorted((a, b) -> b.compareTo(a)).forEach((file) -> file.toFile().delete());
		}
		catch (IOException ex) {
			// Best effort: a temporary folder.
		}
	}

	/**
	 * Sleep, an interrupt ending the wait with an exception.
	 * @param millis how long
	 */
	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
