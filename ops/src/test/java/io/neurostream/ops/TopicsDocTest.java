package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.ops.internal.TopicsDoc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/topics.md holds the tables {@link TopicsDoc} generates from the topic registry and the schemas,
 * each between two markers. After a change to a topic or a schema, regenerate it:
 * {@code mvn -B -o -q -pl ops test -Dtest=TopicsDocTest -Dregenerate=true}.
 */
class TopicsDocTest {
    private static final Path DOC = Path.of("..", "docs", "topics.md");
    static final String BEGIN = "<!-- generated from the topic registry by TopicsDocTest: begin -->\n";
    static final String END = "<!-- generated: end -->\n";
    static final String BOUNDS_BEGIN = "<!-- disk bounds, generated from the topic registry by TopicsDocTest: begin -->\n";

    @Test
    void shouldDocumentEveryTopicAsTheRegistryDefinesIt() throws IOException {
        checkGenerated(BEGIN, TopicsDoc.markdown());
    }

    @Test
    void shouldDocumentTheDiskBoundsOfEveryTopicAsTheRegistryDefinesThem() throws IOException {
        checkGenerated(BOUNDS_BEGIN, TopicsDoc.bounds());
    }

    private static void checkGenerated(String beginMarker, String generated) throws IOException {
        String doc = Files.readString(DOC);
        int begin = doc.indexOf(beginMarker);
        int end = doc.indexOf(END, Math.max(begin, 0));
        assertThat(begin).as("the begin marker in " + DOC).isNotNegative();
        assertThat(end).as("the end marker in " + DOC).isGreaterThan(begin);
        if (Boolean.getBoolean("regenerate")) {
            doc = doc.substring(0, begin + beginMarker.length()) + generated + doc.substring(end);
            Files.writeString(DOC, doc);
            end = doc.indexOf(END, begin);
        }
        assertThat(doc.substring(begin + beginMarker.length(), end))
                .as("docs/topics.md is out of date; regenerate it with -Dregenerate=true (see this test's Javadoc)")
                .isEqualTo(generated);
    }
}
