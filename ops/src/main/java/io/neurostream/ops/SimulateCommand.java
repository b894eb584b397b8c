package io.neurostream.ops;

import io.neurostream.ops.internal.Settings;
import io.neurostream.ops.internal.Settings.SettingsException;
import io.neurostream.simulator.SimulatorConfig;
import io.neurostream.simulator.SimulatorService;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code neurostream simulate}: the simulator service against any Kafka cluster, until Ctrl-C or SIGTERM.
 * It consumes {@code control} and {@code external-input}, hosts the networks created there and
 * publishes their spikes, frames, journal, topology, status and checkpoints ({@link SimulatorService}).
 *
 * <p>How to run: {@code ./neurostream topics && ./neurostream simulate --bootstrap-server localhost:9092}.
 * Expected on stderr: {@code simulator sim-… running against localhost:9092 (topics neurostream.*)};
 * on Ctrl-C: {@code simulator stopped cleanly in … ms}, exit code 130.
 */
@Command(name = "simulate",
        sortOptions = false,
        description = {
            "Runs the simulator service against a Kafka cluster until Ctrl-C.",
            "",
            "Networks are created and driven through topic control, fed through external-input, and "
                    + "publish spikes, frames, membrane, journal, topology, status and checkpoints "
                    + "(docs/streaming.md, docs/topics.md)."},
        footer = {
            "",
            "Each setting below can come from --config FILE, from its environment variable or from "
                    + "--property. Precedence: defaults < --config < NEUROSTREAM_* < --property < "
                    + "--bootstrap-server. Any other key is a Kafka client setting (security.protocol, sasl.*, "
                    + "ssl.*, ...) and passes through. An unknown neurostream.*, simulator.* or analytics.* key "
                    + "is an error.",
            "",
            "Examples:",
            "  neurostream simulate --bootstrap-server localhost:9092",
            "  neurostream simulate --config client.properties \\",
            "      --property simulator.instance.id=sim-2",
            "  NEUROSTREAM_BOOTSTRAP_SERVERS=broker1:9092 \\",
            "      NEUROSTREAM_SIMULATOR_FRAME_MS=2 neurostream simulate",
            "",
            "Settings:"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "1:the service failed or Kafka refused it",
            "2:bad usage or settings",
            "130:stopped by Ctrl-C (SIGTERM: 143), within 30 s even if a part hangs"})
public final class SimulateCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Mixin
    KafkaOptions kafka;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = command.commandLine().getErr();
        SimulatorConfig config;
        Settings settings;
        try {
            settings = kafka.resolve(Map.of("bootstrap.servers", KafkaOptions.DEFAULT_BOOTSTRAP_SERVERS));
            config = new SimulatorConfig(settings.forService(NeuroStreamConfigs.simulator()));
        } catch (SettingsException | ConfigException e) {
            return Main.fail(err, e.getMessage(), Main.EXIT_USAGE);
        }
        settings.warnings().forEach(w -> err.println("neurostream: warning: " + w));

        return ServiceRunner.run(err, "simulator", config.instanceId(), settings.get("bootstrap.servers", "?"),
                config.topicPrefix(), () -> {
                    SimulatorService service = new SimulatorService(config);
                    service.start();
                    return new ServiceRunner.Running() {
                        @Override
                        public String failure() {
                            return service.isRunning() ? null : "the simulator stopped: "
                                    + (service.failure() == null ? "no error" : Main.describe(service.failure()));
                        }

                        @Override
                        public boolean close(Duration max) {
                            service.close();   // no bound of its own: the runner bounds it
                            return true;
                        }
                    };
                });
    }
}
