package io.neurostream.ops;

import io.neurostream.simulator.CheckpointCatalog;
import io.neurostream.simulator.CheckpointCatalog.Chunk;
import io.neurostream.simulator.CheckpointCatalog.Network;
import io.neurostream.simulator.CheckpointCatalog.Restorable;
import io.neurostream.schemas.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code neurostream state drop ID}: retires one network's restorable state on purpose. Tombstones for
 * every live chunk key of the network on the checkpoints topic (whatever run they belong to) and one for
 * its key on the status topic, all in one Kafka transaction.
 *
 * <p>Why a transaction rather than an idempotent producer and a flush: a simulator's recovery reads
 * both topics {@code read_committed}, so with a transaction it sees either the whole state or none of it.
 * Tombstones that land one by one could leave, for a moment or for good (a failed send), some chunks of
 * the newest checkpoint deleted and others not, which recovery would read as an incomplete checkpoint
 * and fall back to an older one: a state nobody asked for. The transactional id is
 * {@code <prefix>state-drop}; two drops at once fence each other, the later one wins.
 *
 * <p>Refuses while the simulator group has members (they would write the state again at their next
 * checkpoint or on shutdown), unless {@code --force}. On a demo's data directory ({@code --data-dir})
 * the broker runs only for this command, on a fresh port, so no simulator can be connected: members the
 * group still lists there are a stopped demo's, waiting out their session, and are not a reason to refuse.
 */
@Command(name = "drop",
        sortOptions = false,
        description = {
            "Drops one network's restorable state: tombstones for every one of its keys on the checkpoints topic "
                    + "(any run) and for its key on the status topic, in one transaction.",
            "",
            "A simulator then no longer restores the network, and a demo creates it anew. It cannot be undone; "
                    + "the journal keeps the network's history (commands and inputs) as it was. Without --yes it "
                    + "shows what it would drop and asks for the network id to be typed back."},
        footer = {
            "",
            "Refuses while the simulator group (<prefix>simulator, or simulator.group.id, or --group) has "
                    + "members, since a running simulator would write the state again; stop the simulators first "
                    + "(or --force). Not checked with --data-dir: nothing else can reach a broker started for "
                    + "the command.",
            "",
            "The transaction's id is <prefix>state-drop: with ACLs, the operator needs Write on it (transactional "
                    + "id), Read, Write and Describe on <prefix>checkpoints and <prefix>status, Describe on the group.",
            "",
            "Exit codes: 0 dropped, 1 refused, nothing to drop, or Kafka failed, 2 bad usage or settings.",
            "",
            "Examples:",
            "  neurostream state drop demo --data-dir data",
            "  neurostream state drop net-7 --bootstrap-server broker1:9092 --yes"})
public final class StateDropCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Parameters(index = "0", paramLabel = "ID", description = "The network whose state goes.")
    String networkId;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    StateCommand.Target target;

    @Option(names = "--yes", description = "Do not ask for confirmation (scripts).")
    boolean yes;

    @Option(names = "--force", description = "Drop even while the simulator group has members.")
    boolean force;

    @Option(names = "--group", paramLabel = "GROUP",
            description = "The simulators' consumer group (default: simulator.group.id, else <prefix>simulator).")
    String group;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    /** Where a key goes: its partition on a topic. */
    private record Tombstone(String topic, int partition, String key) {
    }

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        if (networkId.isBlank()) {
            return Main.fail(err, "the network id is empty", Main.EXIT_USAGE);
        }
        try (StateCommand.Connection c = StateCommand.connect(kafka, target, group, err)) {
            if (!c.ownBroker()) {
                List<MemberDescription> members = members(c);
                if (!members.isEmpty() && !force) {
                    return Main.fail(err, "the simulator group " + c.groupId + " has " + members.size() + " active member"
                            + (members.size() == 1 ? "" : "s") + " (" + describe(members) + "); a running simulator "
                            + "would write network " + networkId + "'s state again: stop the simulators first, or "
                            + "--force", Main.EXIT_FAILURE);
                }
                if (!members.isEmpty()) {
                    err.println("neurostream: warning: --force: the simulator group " + c.groupId + " has members ("
                            + describe(members) + ")");
                }
            }
            String checkpoints = Topics.CHECKPOINTS.name(c.prefix);
            String status = Topics.STATUS.name(c.prefix);
            CheckpointCatalog catalog = new CheckpointCatalog();
            StateCommand.readAll(c.client, c.prefix, Topics.CHECKPOINTS, c.timeout, catalog::accept);
            Network n = catalog.network(networkId);
            List<Integer> statusPartitions = new ArrayList<>();
            Map<Integer, Boolean> statusLive = new HashMap<>();
            StateCommand.readAll(c.client, c.prefix, Topics.STATUS, c.timeout, (p, o, key, value) -> {
                if (networkId.equals(key)) {
                    statusLive.put(p, value != null);
                }
            });
            statusLive.forEach((p, isLive) -> {
                if (isLive) {
                    statusPartitions.add(p);
                }
            });
            if (n.liveChunks().isEmpty() && statusPartitions.isEmpty()) {
                return Main.fail(err, "nothing to drop: no live key of network '" + networkId + "' on " + checkpoints
                        + " or " + status + " (" + c.where + ")", Main.EXIT_FAILURE);
            }
            List<Tombstone> tombstones = new ArrayList<>();
            n.liveChunks().forEach(ch -> tombstones.add(new Tombstone(checkpoints, ch.partition(), ch.key())));
            statusPartitions.forEach(p -> tombstones.add(new Tombstone(status, p, networkId)));

            out.println("network " + networkId + " on " + c.where + ":");
            out.println("  " + checkpoints + ": " + n.liveChunks().size() + " live key" + (n.liveChunks().size() == 1 ? "" : "s")
                    + " (" + StateCommand.keys(n.liveChunks().stream().map(Chunk::key).toList()) + ")" + runs(n.liveChunks()));
            Restorable r = n.restorable();
            out.println("  restorable: " + (r == null ? "nothing" : String.format(Locale.ROOT,
                    "checkpoint %d of run %d at tick %d (%s, %d bytes)", r.checkpointId(), r.runId(), r.tick(),
                    r.marker() ? "marker" : "format " + r.snapshotFormat(), r.sizeBytes())));
            out.println("  " + status + ": " + (statusPartitions.isEmpty() ? "no status" : "its status"));
            out.flush();
            if (!yes && !confirmed(out, err)) {
                return Main.EXIT_FAILURE;
            }
            send(c, tombstones);
            out.println("dropped network " + networkId + ": " + (tombstones.size() - statusPartitions.size())
                    + " checkpoint key tombstone" + (tombstones.size() - statusPartitions.size() == 1 ? "" : "s")
                    + (statusPartitions.isEmpty() ? "" : " and its status tombstone") + ", committed in one transaction");
            out.flush();
            return Main.EXIT_OK;
        } catch (StateCommand.Refused e) {
            return Main.fail(err, e.getMessage(), e.code);
        } catch (KafkaException e) {
            return Main.fail(err, "Kafka at " + StateListCommand.target(kafka, target) + ": " + Main.describe(e),
                    Main.EXIT_FAILURE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.EXIT_INTERRUPTED;
        }
    }

    private static String runs(Collection<Chunk> chunks) {
        TreeSet<Long> runs = new TreeSet<>();
        int unreadable = 0;
        for (Chunk ch : chunks) {
            if (ch.readable()) {
                runs.add(ch.header().getRunId());
            } else {
                unreadable++;
            }
        }
        return (runs.isEmpty() ? "" : ", run" + (runs.size() == 1 ? " " : "s ") + runs.toString().replaceAll("[\\[\\]]", ""))
                + (unreadable == 0 ? "" : ", " + unreadable + " unreadable");
    }

    /** Asks for the network id to be typed back; false (and one line) on a mismatch or no input. */
    private boolean confirmed(PrintWriter out, PrintWriter err) {
        out.print("This cannot be undone. Type the network id (" + networkId + ") to drop it: ");
        out.flush();
        String answer;
        try {
            answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            answer = null;
        }
        if (answer == null || System.console() == null) {
            out.println(); // a piped answer is not echoed: end the prompt's line
        }
        if (answer == null) {
            Main.fail(err, "not dropped: no answer on stdin (--yes drops without asking)", Main.EXIT_FAILURE);
            return false;
        }
        if (!answer.strip().equals(networkId)) {
            Main.fail(err, "not dropped: '" + answer.strip() + "' is not '" + networkId + "'", Main.EXIT_FAILURE);
            return false;
        }
        return true;
    }

    /** The simulator group's members now; none if the group does not exist. */
    private static List<MemberDescription> members(StateCommand.Connection c) throws InterruptedException {
        try (Admin admin = Admin.create(c.admin)) {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(c.groupId)).describedGroups()
                    .get(c.groupId).get(c.timeout.toMillis(), TimeUnit.MILLISECONDS);
            return List.copyOf(d.members());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return List.of();
            }
            throw new KafkaException("cannot describe the simulator group " + c.groupId + ": " + Main.describe(e.getCause()),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaException("cannot describe the simulator group " + c.groupId + " within "
                    + c.timeout.toSeconds() + " s");
        }
    }

    private static String describe(List<MemberDescription> members) {
        List<String> names = new ArrayList<>();
        for (MemberDescription m : members) {
            names.add(m.groupInstanceId().orElse(m.clientId()) + " at " + m.host());
        }
        return String.join(", ", names);
    }

    /** Writes the tombstones in one transaction. */
    private void send(StateCommand.Connection c, List<Tombstone> tombstones) {
        Map<String, Object> p = new HashMap<>(c.client);
        p.remove(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, c.prefix + "state-drop");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, c.timeout.toMillis());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (Tombstone t : tombstones) {
                producer.send(new ProducerRecord<>(t.topic(), t.partition(), t.key(), null));
            }
            producer.commitTransaction();
        }
    }
}
