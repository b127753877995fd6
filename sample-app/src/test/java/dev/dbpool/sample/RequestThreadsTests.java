package dev.dbpool.sample;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.context.support.ServletRequestHandledEvent;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's end-to-end tests run on the threads the build asked for: with
 * {@code -Dsample.virtual-threads=true} (CI's JDK 25 leg) a request is handled on a
 * virtual thread, otherwise on one of Tomcat's platform threads. The thread is the one
 * Spring MVC publishes its {@link ServletRequestHandledEvent} on, after it has handled
 * the request.
 */
class RequestThreadsTests extends AbstractSampleApplicationTests {

	@Autowired
	private ConfigurableApplicationContext context;

	@Test
	void requestIsHandledOnAVirtualThreadExactlyWhenTheBuildAsksForIt() throws Exception {
		boolean requested = VirtualThreads.requested();
		if (requested) {
			assertThat(Runtime.version().feature())
				.as("-D%s=true needs JDK 21 or later (CI runs it on JDK 25): set JAVA_HOME to one",
						VirtualThreads.PROPERTY)
				.isGreaterThanOrEqualTo(21);
		}
		HandlingThreads handlers = new HandlingThreads();
		this.context.addApplicationListener(handlers);
		try {
			assertThat(get("/ping").statusCode()).isEqualTo(200);
			Thread handler = handlers.threads.poll(30, TimeUnit.SECONDS);
			assertThat(handler).as("the thread that handled GET /ping").isNotNull();
			assertThat(VirtualThreads.isVirtual(handler))
				.as("GET /ping handled on %s, virtual threads requested: %s", handler, requested)
				.isEqualTo(requested);
		}
		finally {
			this.context.removeApplicationListener(handlers);
		}
	}

	private static final class HandlingThreads implements ApplicationListener<ServletRequestHandledEvent> {

		private final BlockingQueue<Thread> threads = new LinkedBlockingQueue<>();

		@Override
		public void onApplicationEvent(ServletRequestHandledEvent event) {
			// Published synchronously, on the thread that handled the request.
			if ("/ping".equals(event.getRequestUrl())) {
				this.threads.add(Thread.currentThread());
			}
		}

	}

}
