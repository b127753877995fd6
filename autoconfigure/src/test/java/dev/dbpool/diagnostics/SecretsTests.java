package dev.dbpool.diagnostics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Secrets}.
 */
class SecretsTests {

	@Test
	void masksThePasswordInUserInfo() {
		assertThat(Secrets.maskUrl("postgres://app:s3cret@db:5432/orders"))
			.isEqualTo("postgres://app:****@db:5432/orders");
		assertThat(Secrets.maskUrl("postgres://app:p@ss@db/orders")).isEqualTo("postgres://app:****@db/orders");
	}

	@Test
	void masksAPasswordParameter() {
		assertThat(Secrets.maskUrl("jdbc:postgresql://db/orders?user=app&password=s3cret&ssl=true"))
			.isEqualTo("jdbc:postgresql://db/orders?user=app&password=****&ssl=true");
		assertThat(Secrets.maskUrl("jdbc:postgresql://db/orders?PASSWORD=s3cret"))
			.isEqualTo("jdbc:postgresql://db/orders?PASSWORD=****");
	}

	@Test
	void leavesUrlsWithoutPasswordsAlone() {
		assertThat(Secrets.maskUrl("postgres://app@db/orders")).isEqualTo("postgres://app@db/orders");
		assertThat(Secrets.maskUrl("jdbc:postgresql://db:5432/orders")).isEqualTo("jdbc:postgresql://db:5432/orders");
	}

}
