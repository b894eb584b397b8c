package io.neurostream.ops.reliability;

import io.neurostream.schemas.Topics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The Kafka ACLs of a NeuroStream deployment on a cluster with an authorizer, as data: rendered as the
 * {@code kafka-acls.sh} commands of docs/reliability.md and created through the Admin API by
 * {@link AclIntegrationTest}, which checks that they are enough for each service and keep an input team
 * off {@code control}.
 */
final class Acls {
    /** One {@code kafka-acls.sh --add}: a principal, operations, resources of one type and pattern. */
    record Grant(String principal, List<AclOperation> operations, ResourceType type, PatternType pattern,
            List<String> names) {
        List<AclBinding> bindings() {
            List<AclBinding> out = new ArrayList<>();
            for (String name : names) {
                for (AclOperation op : operations) {
                    out.add(new AclBinding(new ResourcePattern(type, name, pattern),
                            new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
                }
            }
            return out;
        }

        String command() {
            StringBuilder b = new StringBuilder("kafka-acls.sh --bootstrap-server $BROKER --command-config admin.properties "
                    + "--add \\\n    --allow-principal " + principal);
            for (AclOperation op : operations) {
                b.append(" --operation ").append(operationName(op));
            }
            String option = switch (type) {
                case TOPIC -> "--topic";
                case GROUP -> "--group";
                case TRANSACTIONAL_ID -> "--transactional-id";
                default -> throw new IllegalArgumentException(type.toString());
            };
            for (String name : names) {
                b.append(" \\\n    ").append(option).append(' ').append(name);
            }
            if (pattern == PatternType.PREFIXED) {
                b.append(" --resource-pattern-type prefixed");
            }
            return b.toString();
        }
    }

    private Acls() {
    }

    private static String operationName(AclOperation op) {
        return switch (op) {
            case DESCRIBE_CONFIGS -> "DescribeConfigs";
            case ALTER_CONFIGS -> "AlterConfigs";
            case IDEMPOTENT_WRITE -> "IdempotentWrite";
            default -> op.name().charAt(0) + op.name().substring(1).toLowerCase(Locale.ROOT);
        };
    }

    private static List<String> topics(String prefix, String... bases) {
        return java.util.Arrays.stream(bases).map(b -> prefix + b).toList();
    }

    /**
     * Every grant, by who needs it: an input team ({@code team}), the operators who send commands, the
     * simulator (its group and transactional ids are {@code simulatorGroup} and {@code simulatorGroup-<instance>})
     * and the analytics (application id {@code analyticsApp}).
     */
    static Map<String, List<Grant>> grants(String prefix, String team, String operator, String simulator,
            String simulatorGroup, String analytics, String analyticsApp) {
        List<AclOperation> writeDescribe = List.of(AclOperation.WRITE, AclOperation.DESCRIBE);
        List<AclOperation> readDescribe = List.of(AclOperation.READ, AclOperation.DESCRIBE);
        Map<String, List<Grant>> g = new LinkedHashMap<>();
        g.put("input team: external-input only", List.of(
                new Grant(team, writeDescribe, ResourceType.TOPIC, PatternType.LITERAL,
                        topics(prefix, Topics.EXTERNAL_INPUT.baseName()))));
        g.put("operators: control", List.of(
                new Grant(operator, writeDescribe, ResourceType.TOPIC, PatternType.LITERAL,
                        topics(prefix, Topics.CONTROL.baseName()))));
        g.put("simulator", List.of(
                new Grant(simulator, readDescribe, ResourceType.TOPIC, PatternType.LITERAL, topics(prefix,
                        Topics.CONTROL.baseName(), Topics.EXTERNAL_INPUT.baseName(),
                        // recovery reads back what it wrote
                        Topics.JOURNAL.baseName(), Topics.STATUS.baseName(), Topics.CHECKPOINTS.baseName())),
                new Grant(simulator, writeDescribe, ResourceType.TOPIC, PatternType.LITERAL, topics(prefix,
                        Topics.SPIKES.baseName(), Topics.MEMBRANE.baseName(), Topics.FRAMES.baseName(),
                        Topics.JOURNAL.baseName(), Topics.TOPOLOGY.baseName(), Topics.STATUS.baseName(),
                        Topics.CHECKPOINTS.baseName(), Topics.REJECTED.baseName())),
                new Grant(simulator, List.of(AclOperation.READ), ResourceType.GROUP, PatternType.LITERAL,
                        List.of(simulatorGroup)),
                new Grant(simulator, writeDescribe, ResourceType.TRANSACTIONAL_ID, PatternType.PREFIXED,
                        List.of(simulatorGroup + "-"))));
        g.put("analytics (Kafka Streams)", List.of(
                // status: the run of each network, which frames are checked against
                new Grant(analytics, readDescribe, ResourceType.TOPIC, PatternType.LITERAL,
                        topics(prefix, Topics.FRAMES.baseName(), Topics.STATUS.baseName())),
                new Grant(analytics, writeDescribe, ResourceType.TOPIC, PatternType.LITERAL, topics(prefix,
                        Topics.RATES.baseName(), Topics.BALANCE.baseName(), Topics.ALERTS.baseName(),
                        Topics.REJECTED.baseName())),
                // its changelog topics, which it creates
                new Grant(analytics, List.of(AclOperation.ALL), ResourceType.TOPIC, PatternType.PREFIXED,
                        List.of(analyticsApp + "-")),
                new Grant(analytics, List.of(AclOperation.READ), ResourceType.GROUP, PatternType.LITERAL,
                        List.of(analyticsApp)),
                new Grant(analytics, writeDescribe, ResourceType.TRANSACTIONAL_ID, PatternType.PREFIXED,
                        List.of(analyticsApp + "-"))));
        return g;
    }

    /** The grants of {@link #grants} as shell commands, one block per role. */
    static String commands(Map<String, List<Grant>> grants) {
        StringBuilder b = new StringBuilder();
        grants.forEach((role, list) -> {
            b.append("# ").append(role).append('\n');
            for (Grant g : list) {
                b.append(g.command()).append('\n');
            }
        });
        return b.toString();
    }
}
