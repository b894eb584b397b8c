package io.neurostream.schemas.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.schemas.SchemaVersions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseSchemasTest {

    @Test
    void shouldWriteNothingWhenEveryCurrentSchemaIsReleased(@TempDir Path resources) throws Exception {
        List<String> log = new ArrayList<>();
        List<String> failures = ReleaseSchemas.release(resources, log::add);

        assertThat(failures).isEmpty();
        assertThat(log).hasSize(SchemaVersions.RECORDS.size()).allMatch(l -> l.startsWith("unchanged "));
        try (Stream<Path> files = Files.walk(resources)) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
    }
}
