package io.neurostream.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.neurostream.engine.spec.NetworkSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BenchNetworksTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The engine's test specs; the benchmark copies must not drift from them. Maven runs tests in ops/. */
    private static final Path ENGINE_SPECS = Path.of("../engine/src/test/resources/specs");

    @Test
    void shouldKeepTheBenchSpecsIdenticalToTheEngineTestSpecs() throws Exception {
        for (String name : new String[] {"cuba", "izhikevich2003"}) {
            Path engine = ENGINE_SPECS.resolve(name + ".json");
            if (Files.exists(engine)) {
                assertThat(MAPPER.readTree(BenchNetworks.specJson(name)))
                        .as(name + ".json in bench and in engine test resources")
                        .isEqualTo(MAPPER.readTree(Files.readString(engine, StandardCharsets.UTF_8)));
            }
        }
    }

    @Test
    void shouldScaleCubaTenfoldWithTheSameInputsPerNeuronAsBrian2ScaleTen() throws Exception {
        ObjectNode small = (ObjectNode) MAPPER.readTree(BenchNetworks.specJson("cuba"));
        ObjectNode large = (ObjectNode) MAPPER.readTree(BenchNetworks.specJson("cuba40k"));
        assertThat(large.at("/populations/0/count").asInt()).isEqualTo(32000);
        assertThat(large.at("/populations/1/count").asInt()).isEqualTo(8000);
        for (int c = 0; c < 2; c++) {
            assertThat(large.at("/connections/" + c + "/probability").asDouble()).isEqualTo(0.002);
        }
        // everything else is CUBA 4000
        for (ObjectNode spec : new ObjectNode[] {small, large}) {
            spec.remove("name");
            for (int p = 0; p < 2; p++) {
                ((ObjectNode) spec.at("/populations/" + p)).remove("count");
            }
            for (int c = 0; c < 2; c++) {
                ((ObjectNode) spec.at("/connections/" + c)).remove("probability");
            }
        }
        assertThat(large).isEqualTo(small);
    }

    @Test
    void shouldReplaceOnlyTheSeed() throws Exception {
        JsonNode original = MAPPER.readTree(BenchNetworks.specJson("izhikevich2003"));
        ObjectNode reseeded = (ObjectNode) MAPPER.readTree(BenchNetworks.specJson("izhikevich2003", 7L));
        assertThat(reseeded.get("seed").asLong()).isEqualTo(7L);
        reseeded.set("seed", original.get("seed"));
        assertThat(reseeded).isEqualTo(original);
        NetworkSpec spec = BenchNetworks.spec("izhikevich2003", 7L);
        assertThat(spec.seed()).isEqualTo(7L);
        assertThat(BenchNetworks.spec("izhikevich2003", null).seed()).isEqualTo(1234L);
    }

    @Test
    void shouldNameTheKnownNetworksWhenAskedForAnUnknownOne() {
        assertThatThrownBy(() -> BenchNetworks.specJson("cobahh"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cuba, cuba40k, izhikevich2003");
    }
}
