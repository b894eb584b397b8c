package io.neurostream.ops.reliability;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The soak of fault 1, off by default (it takes several minutes): {@value #KILLS} kills of
 * {@code neurostream simulate} at random moments, each restart joining the group as a new member (another
 * {@code group.instance.id}), so that, as with dynamic membership, each restarted instance also waits for the
 * group to expel its dead predecessor ({@code session.timeout.ms}, 6 s here). Run it with
 * <pre>
 * mvn -B -o test -pl ops -Dtest='reliability.SimulatorKillSoakIntegrationTest' -Dreliability.soak=true
 * </pre>
 * (another seed: {@code -Dreliability.seed=…}); the report is printed and written to
 * {@code ops/target/reliability/<prefix>/report.txt}.
 */
@Tag("soak")
@EnabledIfSystemProperty(named = "reliability.soak", matches = "true")
@Timeout(900)
class SimulatorKillSoakIntegrationTest {
    static final int KILLS = 25;

    @Test
    void shouldCommitWhatAnUninterruptedRunCommitsAcrossManyKills() throws Exception {
        SimulatorKillIntegrationTest.killAndRestart(Kit.sharedBroker(), KILLS, false, "soak");
    }
}
