package dev.dbpool.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.dbpool.benchmarks.report.Model.Run;
import dev.dbpool.benchmarks.report.Model.Verdict;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Makes a benchmark run's report from its raw results: {@code results.json} (everything
 * measured, the machine, the commands and each target's verdict), {@code report.md} and
 * the charts, all in the run's directory.
 * <p>
 * {@code java -cp benchmarks.jar dev.dbpool.benchmarks.report.Report <results dir>}
 * ({@code benchmarks/report.sh} runs it).
 */
public final class Report {

	static final String JSON = "results.json";

	static final String MARKDOWN = "report.md";

	private Report() {
	}

	public static void main(String[] args) throws IOException {
		if (args.length != 1) {
			throw new IllegalArgumentException("Usage: Report <results dir>");
		}
		System.setProperty("java.awt.headless", "true");
		Run run = generate(Path.of(args[0]));
		for (Verdict verdict : run.verdicts()) {
			System.out.println("bench: " + verdict.verdict() + "  " + verdict.target() + " [" + verdict.subject() + "] "
					+ verdict.measured());
		}
		if (!run.issueSized()) {
			System.out
				.println("bench: a SMOKE run (not the issue's full size): its verdicts do not speak for the targets");
		}
		else if (!run.partial().isEmpty()) {
			System.out.println("bench: a PARTIAL run (the issue's size, without " + String.join(", ", run.partial())
					+ "): a target that needs what it left out is NOT JUDGED");
		}
	}

	/**
	 * Read the run in a directory and write its JSON, Markdown report and charts there.
	 * @param dir the run's directory
	 * @return the run as read and judged
	 * @throws IOException if a file cannot be read or written
	 */
	static Run generate(Path dir) throws IOException {
		Run run = RunReader.read(dir);
		JsonMapper mapper = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
		Files.writeString(dir.resolve(JSON), mapper.writeValueAsString(run) + "\n", StandardCharsets.UTF_8);
		Charts.write(run, dir);
		String title = dir.getFileName().toString();
		Files.writeString(dir.resolve(MARKDOWN), new MarkdownReport(run, title).render(), StandardCharsets.UTF_8);
		return run;
	}

}
