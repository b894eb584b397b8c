package io.neurostream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StepBenchmarkTest {
    @Test
    void shouldShipTheJmhBenchmarkList() throws Exception {
        var list = StepBenchmark.class.getResourceAsStream("/META-INF/BenchmarkList");
        assertThat(list).as("JMH annotation processor output META-INF/BenchmarkList").isNotNull();
        String text = new String(list.readAllBytes(), StandardCharsets.UTF_8);
        assertThat(text).contains("cuba4000Step").contains("izhikevich1000Step");
    }
}
