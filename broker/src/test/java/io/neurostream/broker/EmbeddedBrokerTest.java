package io.neurostream.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What EmbeddedBroker checks before it starts anything (no broker runs here). */
class EmbeddedBrokerTest {

    @Test
    void shouldRefuseAFixedPortThatIsTakenBeforeStartingKafka(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            EmbeddedBroker broker = EmbeddedBroker.builder().dataDir(dir).port(taken.getLocalPort()).build();
            assertThatThrownBy(broker::start)
                    .isInstanceOf(PortInUseException.class)
                    .hasMessageContaining("port " + taken.getLocalPort() + " on 127.0.0.1")
                    .satisfies(e -> assertThat(((PortInUseException) e).port()).isEqualTo(taken.getLocalPort()));
            assertThat(EmbeddedBroker.isFree(taken.getLocalPort())).isFalse();
            // nothing was formatted
            assertThat(Files.exists(dir.resolve("logs").resolve("meta.properties"))).isFalse();
            broker.close();
        }
    }

    @Test
    void shouldRejectPortsOutOfRange() {
        assertThatThrownBy(() -> EmbeddedBroker.builder().port(70000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmbeddedBroker.builder().controllerPort(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldSayItIsNotStartedWhenAskedForItsAddressTooEarly() {
        assertThatThrownBy(() -> EmbeddedBroker.builder().build().bootstrapServers())
                .isInstanceOf(IllegalStateException.class).hasMessage("not started");
    }
}
