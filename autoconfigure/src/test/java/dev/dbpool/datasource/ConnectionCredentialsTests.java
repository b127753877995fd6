package dev.dbpool.datasource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.SQLException;
import java.time.Instant;

import com.zaxxer.hikari.util.Credentials;
import dev.dbpool.diagnostics.ConfiguredValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ConnectionCredentials}: when a password file is read again, and what
 * its failures say.
 */
class ConnectionCredentialsTests {

	private static final String PROPERTY = "app.db.pool.password-file";

	@TempDir
	Path folder;

	@Test
	void passwordIsTheFilesContentWithoutItsLineEnd() throws Exception {
		Path file = Files.writeString(this.folder.resolve("password"), "first secret\r\n");
		Credentials credentials = file(file, PROPERTY).next("app");
		assertThat(credentials.getUsername()).isEqualTo("app");
		assertThat(credentials.getPassword()).isEqualTo("first secret");
	}

	@Test
	void fileIsReadAgainWhenItChanged() throws Exception {
		Path file = Files.writeString(this.folder.resolve("password"), "one");
		ConnectionCredentials credentials = file(file, PROPERTY);
		assertThat(credentials.next("app").getPassword()).isEqualTo("one");
		// Same size, later modification time.
		Files.writeString(file, "two");
		Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
		assertThat(credentials.next("app").getPassword()).isEqualTo("two");
		// Another size.
		Files.writeString(file, "three");
		assertThat(credentials.next("app").getPassword()).isEqualTo("three");
	}

	@Test
	void fileIsNotReadAgainWhileUnchanged() throws Exception {
		Path file = Files.writeString(this.folder.resolve("password"), "one");
		FileTime modified = Files.getLastModifiedTime(file);
		ConnectionCredentials credentials = file(file, PROPERTY);
		assertThat(credentials.next("app").getPassword()).isEqualTo("one");
		Files.writeString(file, "two");
		Files.setLastModifiedTime(file, modified);
		// Same identity, time and size: the stat says unchanged.
		assertThat(credentials.next("app").getPassword()).isEqualTo("one");
	}

	@Test
	void missingFileFailsNamingThePropertyTheVariableAndThePath() {
		Path file = this.folder.resolve("absent");
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> file(file, PROPERTY).next("app"))
			.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("F0000"))
			.withMessage("db-pool: cannot read the password file " + file + " given by " + PROPERTY
					+ " (or DB_PASSWORD_FILE): NoSuchFileException");
	}

	@Test
	void fileThatBecameUnreadableFailsWithoutItsContent() throws Exception {
		Path file = Files.writeString(this.folder.resolve("password"), "the-secret");
		ConnectionCredentials credentials = file(file, "DB_PASSWORD_FILE");
		credentials.next("app");
		Files.delete(file);
		Files.createDirectory(file);
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> credentials.next("app"))
			.withMessageStartingWith("db-pool: cannot read the password file " + file + " given by DB_PASSWORD_FILE"
					+ " (or " + PROPERTY + ")")
			.withMessageNotContaining("the-secret");
	}

	@Test
	void emptyFileFails() throws IOException {
		Path file = Files.writeString(this.folder.resolve("password"), "\n");
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> file(file, PROPERTY).next("app"))
			.withMessage(
					"db-pool: the password file " + file + " given by " + PROPERTY + " (or DB_PASSWORD_FILE) is empty");
	}

	@Test
	void describesWhereThePasswordComesFromNeverWhatItIs() throws Exception {
		Path file = Files.writeString(this.folder.resolve("password"), "the-secret");
		ConnectionCredentials credentials = file(file, PROPERTY);
		credentials.next("app");
		assertThat(credentials.describe()).isEqualTo("the password from " + PROPERTY + " (" + file + ")");
		assertThat(credentials).asString().doesNotContain("the-secret");
	}

	@Test
	void providerGivesTheUsernameOrKeepsTheConfiguredOne() throws Exception {
		assertThat(ConnectionCredentials.provider(() -> Credentials.of(null, "token")).next("app").getUsername())
			.isEqualTo("app");
		assertThat(ConnectionCredentials.provider(() -> Credentials.of("iam", "token")).next("app").getUsername())
			.isEqualTo("iam");
	}

	@Test
	void providerThatFailsIsNamedWithoutItsMessage() {
		ConnectionCredentials credentials = ConnectionCredentials.provider(() -> {
			throw new IllegalStateException("token the-secret expired");
		});
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> credentials.next("app"))
			.withMessageContaining("failed: java.lang.IllegalStateException")
			.withMessageNotContaining("the-secret");
	}

	private static ConnectionCredentials file(Path file, String name) {
		return ConnectionCredentials.file(new ConfiguredValue(PROPERTY, name, file.toString(), "test"));
	}

}
